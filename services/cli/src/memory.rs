//! How much memory the process keeps: a bound on glibc's malloc arenas.
//!
//! glibc gives a thread that finds the arenas in use by others an arena of its own, up to eight
//! per core. `serve all` runs tokio's workers, one thread per SQLite connection and tokio's
//! blocking threads, so on this project's two-core reference machine a circular to 100 000
//! recipients left about ten arenas of 5 MB each, mostly free space that one arena cannot lend
//! to another: peak RSS 75.8 MiB, against 55.9 MiB with two arenas at the same rate
//! (docs/BENCHMARKS.md). One arena per core keeps the workers from waiting on each other's
//! allocations without that waste. `MALLOC_ARENA_MAX`, when set, is glibc's own setting and
//! wins. Other C libraries (musl) have no arenas; there this does nothing.

/// Limits glibc's malloc arenas to one per core (at least two), unless `MALLOC_ARENA_MAX` is
/// set. Call it first in `main`, before any other thread starts: glibc fixes the limit when it
/// first needs a second arena.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets one of malloc's tuning parameters; it is called before
        // any other thread exists, so no allocation runs beside it.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
