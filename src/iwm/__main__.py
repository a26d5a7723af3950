from iwm.cli import main

main()
