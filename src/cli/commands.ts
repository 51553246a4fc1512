/** Every `modeldebug` command line, dispatched on its first word. */
import { parseArgs, type ExplainCommand } from './args';
import { parseAttributeArgs, parseChecksArgs, type AttributeCommand, type ChecksCommand } from './attributionArgs';

export type Command = ExplainCommand | AttributeCommand | ChecksCommand;

export function parseCommand(argv: string[]): Command {
  const [command, ...rest] = argv;
  if (command === 'attribute') return parseAttributeArgs(rest);
  if (command === 'checks') return parseChecksArgs(rest);
  return parseArgs(argv);
}
