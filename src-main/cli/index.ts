/** Entry point of the `gammadesk` command (bin/gammadesk.mjs loads the built copy of this file). */
import { main } from './main';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
