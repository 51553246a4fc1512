/** A command line that cannot run: `modeldebug` prints the message and the usage text, and exits with 2. */
export class UsageError extends Error {}
