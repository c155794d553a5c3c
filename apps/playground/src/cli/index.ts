export { type CliRequest, parseArguments } from './parse-arguments.js';
export { type CliOutput, FLOW_START, runCli } from './run-cli.js';
