from services.recognition.song.cli import main

raise SystemExit(main())
