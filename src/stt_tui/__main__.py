from stt_tui.launch import main

raise SystemExit(main())
