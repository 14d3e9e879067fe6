from services.recognition.ui.cli import main

raise SystemExit(main())
