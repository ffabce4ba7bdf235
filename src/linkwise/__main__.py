from linkwise.cli.main import main

main()
