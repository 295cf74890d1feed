"""`python -m pipeline` is the `infobox-etl` command."""
from pipeline.cli import main

if __name__ == "__main__":
    main()
