// Test-only preload (node --import <this file>): when the server writes the line that says it serves ("ready on
// stdio", "listening on Streamable HTTP"), reports on stderr how many SIGTERM and SIGINT listeners the process has at that very moment. A supervisor may
// signal as soon as it reads that line, so both must already be there. pino writes with fs.writeSync / fs.write.
import fs from 'node:fs';
let reported = false;
function look(data) {
  if (reported) return;
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : '';
  if (!/ready on stdio|listening on Streamable HTTP/.test(text)) return;
  reported = true;
  const line = `SIGNALS_AT_READY term=${process.listenerCount('SIGTERM')} int=${process.listenerCount('SIGINT')}\n`;
  origWriteSync(2, line);
}
const origWriteSync = fs.writeSync;
fs.writeSync = function (fd, data, ...rest) {
  look(data);
  return origWriteSync.call(this, fd, data, ...rest);
};
const origWrite = fs.write;
fs.write = function (fd, data, ...rest) {
  look(data);
  return origWrite.call(this, fd, data, ...rest);
};
const origStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = (data, ...rest) => {
  look(data);
  return origStderr(data, ...rest);
};
