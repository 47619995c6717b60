import sys

from crampdetect.cli import main

sys.exit(main())
