import Glibc

/// An exclusive lock beside the history database, so two cron runs never overlap.
/// Held until the process exits (the kernel drops `flock` locks with the descriptor).
enum RunLock {
    /// Takes the lock `PATH.lock`, waiting at most `seconds`; throws an `InputError` naming the lock when another run holds it.
    static func acquire(beside path: String, waitSeconds: Int) throws -> Int32 {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw InputError("cannot open the lock \(lockPath): \(String(cString: strerror(errno))); check the folder is writable") }
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK, waited < waitSeconds else {
                close(fd)
                throw InputError("another permaudit run holds \(lockPath); not starting a second one (use --lock-wait SECONDS to wait)")
            }
            sleep(1)
            waited += 1
        }
        return fd
    }
}
