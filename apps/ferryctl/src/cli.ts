import { run } from "./ferryctl";

run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  tty: process.stdout.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
