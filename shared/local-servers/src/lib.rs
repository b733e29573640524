//! A nats-server child process with JetStream on a free loopback port, for local runs and
//! tests: started with its store in a folder of the caller's, waited for (its log says
//! "Server is ready"), and killed when dropped. On Linux it also dies with its parent thread.
//! [`LocalNatsCluster`] (`cluster.rs`) runs several such nodes routed into one JetStream
//! cluster, for the stories of a site that runs more than one.

mod cluster;

pub use cluster::LocalNatsCluster;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The nats-server configuration local runs use, from `deploy/nats-server.conf`.
pub const DEPLOY_CONFIG: &str = include_str!("../../../deploy/nats-server.conf");

/// Why a local nats-server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LocalServerError {
    /// The binary is not installed.
    #[error("nats-server not found (looked for {0}); install Debian's nats-server package")]
    NotInstalled(String),
    /// Preparing its folder, finding a port or spawning failed.
    #[error("cannot start nats-server: {what}: {source}")]
    Spawn {
        /// The step: the folder, the configuration file, a free port, the binary.
        what: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// It exited or never said it was ready.
    #[error("nats-server did not become ready: {why}; its log is {log}")]
    NotReady {
        /// What happened.
        why: String,
        /// The log file to read.
        log: PathBuf,
    },
}

/// A [`LocalServerError::Spawn`] naming `what` (a path, or a step in words).
fn spawn_error(what: &Path) -> impl FnOnce(std::io::Error) -> LocalServerError {
    let what = what.display().to_string();
    move |source| LocalServerError::Spawn { what, source }
}

/// A running nats-server child.
#[derive(Debug)]
pub struct LocalNatsServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl LocalNatsServer {
    /// Starts nats-server with JetStream on 127.0.0.1 and a free port, its store, config and
    /// log under `dir`, and returns once it accepts clients.
    pub fn start(dir: &Path) -> Result<LocalNatsServer, LocalServerError> {
        let binary = find_binary()?;
        std::fs::create_dir_all(dir).map_err(spawn_error(dir))?;
        let config = dir.join("nats-server.conf");
        std::fs::write(&config, DEPLOY_CONFIG).map_err(spawn_error(&config))?;
        let mut last = None;
        // A free port can be taken between our probe and the server's bind: try a few.
        for _ in 0..5 {
            let port = free_port().map_err(spawn_error(Path::new("a free port")))?;
            match Self::spawn(&binary, &config, dir, port) {
                Ok(server) => return Ok(server),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| LocalServerError::NotReady {
            why: "no attempt made".into(),
            log: dir.join("nats.log"),
        }))
    }

    fn spawn(
        binary: &Path,
        config: &Path,
        dir: &Path,
        port: u16,
    ) -> Result<LocalNatsServer, LocalServerError> {
        let log = dir.join("nats.log");
        let _ = std::fs::remove_file(&log);
        let mut command = Command::new(binary);
        command
            .arg("-c")
            .arg(config)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.join("jetstream"))
            .arg("-l")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        die_with_parent(&mut command);
        let child = command.spawn().map_err(spawn_error(binary))?;
        let mut server = LocalNatsServer {
            child,
            port,
            dir: dir.to_owned(),
        };
        server.wait_ready(&log)?;
        Ok(server)
    }

    /// Waits for the log line that says the server accepts clients, or for the child to exit.
    fn wait_ready(&mut self, log: &Path) -> Result<(), LocalServerError> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = std::fs::read_to_string(log) {
                if text.contains("Server is ready") {
                    return Ok(());
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(LocalServerError::NotReady {
                    why: format!("it exited with {status}"),
                    log: log.to_owned(),
                });
            }
            if Instant::now() > deadline {
                return Err(LocalServerError::NotReady {
                    why: "no \"Server is ready\" in its log after 20 s".into(),
                    log: log.to_owned(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The client URL, `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The folder holding its store, config and log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server and starts it again on the same port with the same store (what an
    /// operator's restart does); clients reconnect on their own.
    pub fn restart(mut self) -> Result<LocalNatsServer, LocalServerError> {
        self.stop_for_now();
        self.start_again()?;
        Ok(self)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and keeps its port and store for
    /// [`LocalNatsServer::start_again`]: an outage its clients see.
    pub fn stop_for_now(&mut self) {
        self.terminate();
    }

    /// Starts the server again on its port with its store, after
    /// [`LocalNatsServer::stop_for_now`].
    pub fn start_again(&mut self) -> Result<(), LocalServerError> {
        let binary = find_binary()?;
        let config = self.dir.join("nats-server.conf");
        // The port was just released; another process taking it meanwhile is not expected on
        // loopback during a test, but a few tries cover a slow release.
        let mut last = None;
        for _ in 0..50 {
            match Self::spawn(&binary, &config, &self.dir, self.port) {
                Ok(server) => {
                    // The stopped child has been waited for: dropping it kills nothing.
                    *self = server;
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(last.unwrap_or_else(|| LocalServerError::NotReady {
            why: "no attempt made".into(),
            log: self.dir.join("nats.log"),
        }))
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit.
    pub fn stop(mut self) {
        self.terminate();
    }

    /// Kills the server with SIGKILL, as a crash of its machine would (nothing flushed, no
    /// word to its clients or its routes), and waits for it to exit.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        if nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).is_ok() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalNatsServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// Asks the kernel to kill the child when the thread that spawned it exits, so a crashed
/// harness or run never leaves a server behind.
pub fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        #[allow(unsafe_code)]
        // SAFETY: the closure runs in the forked child before exec and only calls prctl,
        // which is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                    .map_err(std::io::Error::from)
            });
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    Ok(
        TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?
            .local_addr()?
            .port(),
    )
}

fn find_binary() -> Result<PathBuf, LocalServerError> {
    let candidates = [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ];
    if let Some(path) = std::env::var_os("NATS_SERVER").map(PathBuf::from) {
        return if path.exists() {
            Ok(path)
        } else {
            Err(LocalServerError::NotInstalled(path.display().to_string()))
        };
    }
    if let Some(found) = candidates.iter().map(PathBuf::from).find(|p| p.exists()) {
        return Ok(found);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("nats-server"))
        .find(|p| p.exists())
        .ok_or_else(|| LocalServerError::NotInstalled(candidates.join(", ") + " and $PATH"))
}
