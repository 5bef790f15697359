// An `fs` for the landing thread (createLandingThread's `fsModule`) that fails or stalls on cue, for
// the durability tests. The cue is JSON in FERRY_FAULTY_FS, read when the thread loads this module:
//   shortWrites: n          every write stores at most n bytes
//   failWrite: "ENOSPC"     every write fails with that code
//   failFsyncOf: n          the n-th fsync of a staged file fails with EIO
//   fsyncLog: path          a line is appended there as each fsync of a staged file starts
//   holdFsyncUntil: path    fsyncs of staged files wait until that file exists
// Only descriptors open on a staged file (a path with /multipart/ in it) are touched.
// CommonJS: the thread loads it with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs');

const cue = JSON.parse(process.env.FERRY_FAULTY_FS || '{}');
const staged = (fd) => fs.readlinkSync(`/proc/self/fd/${fd}`).includes('/multipart/');
const errno = (code, syscall) => Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
let fsyncs = 0;

function writeSync(fd, buffer, offset, length, position) {
  if (cue.failWrite && staged(fd)) throw errno(cue.failWrite, 'write');
  const most = cue.shortWrites && staged(fd) ? Math.min(length, cue.shortWrites) : length;
  return fs.writeSync(fd, buffer, offset, most, position);
}

function fsync(fd, callback) {
  if (!staged(fd)) return fs.fsync(fd, callback);
  fsyncs += 1;
  if (cue.fsyncLog) fs.appendFileSync(cue.fsyncLog, `${fsyncs}\n`);
  if (cue.failFsyncOf === fsyncs) return setImmediate(() => callback(errno('EIO', 'fsync')));
  const go = () => fs.fsync(fd, callback);
  if (!cue.holdFsyncUntil) return go();
  const wait = setInterval(() => {
    if (!fs.existsSync(cue.holdFsyncUntil)) return;
    clearInterval(wait);
    go();
  }, 10);
}

module.exports = { ...fs, writeSync, fsync };
