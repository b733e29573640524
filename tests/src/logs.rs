//! The last lines of a story's logs, printed when it fails, before the harness removes their
//! folders: what each service said just before the assertion that failed.

use crate::Harness;
use std::path::PathBuf;

/// Lines printed from the end of each log.
const LAST_LINES: usize = 40;

/// Prints the end of every `serve` log of a harness, its nats-server's, and the logs added
/// with [`LogsOnFailure::also`], when the test panics; declare it after the harness, so that
/// it is dropped before it.
pub struct LogsOnFailure {
    dir: PathBuf,
    others: Vec<PathBuf>,
}

impl LogsOnFailure {
    /// Every `*.log` in `h`'s folder (one per `serve` process) and its nats-server's log.
    pub fn of(h: &Harness) -> LogsOnFailure {
        LogsOnFailure {
            dir: h.dir().to_owned(),
            others: vec![h.dir().join("nats/nats.log")],
        }
    }

    /// Also the log at `path` (a PostgreSQL server's, a cluster node's).
    pub fn also(&mut self, path: PathBuf) {
        self.others.push(path);
    }
}

impl Drop for LogsOnFailure {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let services = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "log"));
        for path in services.chain(self.others.iter().cloned()) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(LAST_LINES)..].join("\n");
            eprintln!("──── the last lines of {} ────\n{tail}", path.display());
        }
    }
}
