"""Sub-commands of ``looplab``: each module has HELP, add_arguments(parser) and run(args)."""
