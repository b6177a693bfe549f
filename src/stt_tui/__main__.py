from stt_tui.cli import main

raise SystemExit(main())
