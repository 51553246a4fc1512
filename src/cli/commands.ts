/** Every `modeldebug` command line, dispatched on its first word. */
import { parseArgs, type ExplainCommand } from './args';
import { parseAttributeArgs, parseChecksArgs, type AttributeCommand, type ChecksCommand } from './attributionArgs';
import { EXAMPLE_COMMANDS, parseExampleCommand, type ExampleCommand } from './exampleArgs';
import { parseInvarianceArgs, type InvarianceCommand } from './invarianceArgs';
import { parseUnsupervisedCommand, UNSUPERVISED_COMMANDS, type UnsupervisedCommand } from './unsupervisedArgs';

export type Command = ExplainCommand | AttributeCommand | ChecksCommand | ExampleCommand | UnsupervisedCommand | InvarianceCommand;

function isExampleCommand(name: string | undefined): name is (typeof EXAMPLE_COMMANDS)[number] {
  return (EXAMPLE_COMMANDS as readonly string[]).includes(name ?? '');
}

function isUnsupervisedCommand(name: string | undefined): name is (typeof UNSUPERVISED_COMMANDS)[number] {
  return (UNSUPERVISED_COMMANDS as readonly string[]).includes(name ?? '');
}

export function parseCommand(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === 'attribute') return parseAttributeArgs(rest);
  if (command === 'checks') return parseChecksArgs(rest);
  if (command === 'invariance') return parseInvarianceArgs(rest);
  if (isExampleCommand(command)) return parseExampleCommand(command, rest);
  if (isUnsupervisedCommand(command)) return parseUnsupervisedCommand(command, rest);
  return parseArgs(argv);
}
