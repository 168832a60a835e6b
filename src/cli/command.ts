/**
 * What a command file exports: its definition (name, description, flags, examples, action).
 * commands/index.ts lists them; main.ts registers them on cac and renders what they throw.
 */
import type { Command } from 'cac';
import type { Output } from './render.js';

/** A flag as cac takes it: `['-c, --config <file>', 'description', { default: … }]`. */
export type OptionDefinition = readonly [rawName: string, description: string, config?: Parameters<Command['option']>[2]];

/** What main gives every action. */
export interface CommandContext {
  output: Output;
  /** SIGINT/SIGTERM as an abort signal: the run commits its next checkpoint and stops (installs the handlers). */
  stopSignal(): AbortSignal;
}

export interface CommandDefinition {
  /** The name and its arguments, as cac spells them: `state <action> [asset]`. */
  name: string;
  description: string;
  options: readonly OptionDefinition[];
  examples: readonly string[];
  /**
   * Runs the command with cac's arguments (the positional ones, then the flags). Throws what went
   * wrong (main prints it and sets the exit code); resolves to an exit code only when the command
   * decides it (`ingest --every`).
   */
  action(ctx: CommandContext, ...args: never[]): Promise<number | void>;
}
