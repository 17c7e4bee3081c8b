from govsite.cli import main

raise SystemExit(main())
