from linkwise.cli.main import main

# Guarded: ingestion's worker processes re-import the main module when they start.
if __name__ == "__main__":
    main()
