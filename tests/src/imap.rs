//! A real IMAP server for the bounce mailbox's tests: Debian's dovecot (2.3), started as a child
//! process on a free loopback port with everything it keeps (configuration, sockets, state, log,
//! the user's Maildir) under the folder it is given; no system-wide file is read or written.
//!
//! One user with a plaintext password, plain IMAP on 127.0.0.1 (no TLS). Mail is delivered by
//! writing a file into the Maildir's `new/`, as a local delivery agent would.
//!
//! As root (CI), dovecot refuses to run its login process or to open mail as root: the login
//! process runs as `dovenull` (the package's user, else `nobody`) and the mail as `nobody`,
//! chrooted into the mail folder, so the test's private (0700) temporary folder needs no wider
//! permissions. As any other user, everything runs as that user without chroot.

use circulars_core::config::{MailboxConfig, MailboxTls};
use circulars_local_servers::{die_with_parent, free_port};
use nix::unistd::{Gid, Group, Uid, User};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where Debian installs dovecot.
const DOVECOT: &str = "/usr/sbin/dovecot";
/// The user the harness creates.
const USERNAME: &str = "bounces";
/// Its password.
const PASSWORD: &str = "tests-only-imap-password";

/// A dovecot IMAP server on 127.0.0.1, stopped on drop.
pub struct ImapServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    maildir: PathBuf,
    owner: Option<(Uid, Gid)>,
}

impl ImapServer {
    /// Starts dovecot with its state under `dir` (created when missing) and waits until it greets.
    pub fn start(dir: &Path) -> ImapServer {
        assert!(
            Path::new(DOVECOT).exists(),
            "{DOVECOT} is missing: run deploy/install-deps (it installs Debian's dovecot-imapd)"
        );
        check_version();
        std::fs::create_dir_all(dir).expect("the IMAP server's folder is created");
        let dir = dir
            .canonicalize()
            .expect("the IMAP server's folder has a path");
        let port = free_port().expect("a free port");
        let root = Uid::effective().is_root();
        let mail_root = dir.join("mail");
        let maildir = mail_root.join(USERNAME).join("Maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).expect("the Maildir is created");
        }
        let (mail_user, login_user, internal, owner) = if root {
            let nobody = User::from_name("nobody")
                .ok()
                .flatten()
                .expect("the user nobody exists");
            let login = User::from_name("dovenull")
                .ok()
                .flatten()
                .unwrap_or_else(|| nobody.clone());
            chown_tree(&mail_root, nobody.uid, nobody.gid);
            (
                nobody.clone(),
                login.name,
                ("root".to_owned(), "root".to_owned()),
                Some((nobody.uid, nobody.gid)),
            )
        } else {
            let me = User::from_uid(Uid::effective())
                .ok()
                .flatten()
                .expect("the current user has a name");
            let group = Group::from_gid(me.gid)
                .ok()
                .flatten()
                .expect("the current group has a name");
            (me.clone(), me.name.clone(), (me.name, group.name), None)
        };
        // As root the mail process is chrooted into mail/ (`/./` splits chroot and home).
        let (home, chroot_settings) = if root {
            (
                format!("{}/./%u", mail_root.display()),
                format!("valid_chroot_dirs = {}\n", mail_root.display()),
            )
        } else {
            (
                format!("{}/%u", mail_root.display()),
                // No chroot for the login and anvil processes: it needs root.
                "service anvil {\n  chroot =\n}\n".to_owned(),
            )
        };
        let passwd = dir.join("passwd");
        std::fs::write(&passwd, format!("{USERNAME}:{{PLAIN}}{PASSWORD}\n"))
            .expect("the password file is written");
        let login_chroot = if root { "" } else { "  chroot =\n" };
        let config = format!(
            "# Written by the circulars test harness (tests/src/imap.rs).\n\
             base_dir = {dir}/run\n\
             state_dir = {dir}/state\n\
             log_path = {dir}/dovecot.log\n\
             instance_name = circulars-test-{port}\n\
             protocols = imap\n\
             listen = 127.0.0.1\n\
             ssl = no\n\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             auth_failure_delay = 0\n\
             default_internal_user = {internal_user}\n\
             default_internal_group = {internal_group}\n\
             default_login_user = {login_user}\n\
             first_valid_uid = {uid}\n\
             first_valid_gid = {gid}\n\
             mail_location = maildir:~/Maildir\n\
             {chroot_settings}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {passwd}\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={home}\n}}\n\
             service imap-login {{\n{login_chroot}  \
               inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
               inet_listener imaps {{\n    port = 0\n  }}\n}}\n",
            dir = dir.display(),
            internal_user = internal.0,
            internal_group = internal.1,
            uid = mail_user.uid,
            gid = mail_user.gid,
            passwd = passwd.display(),
        );
        let config_file = dir.join("dovecot.conf");
        std::fs::write(&config_file, config).expect("the dovecot configuration is written");
        let output = std::fs::File::create(dir.join("dovecot.out")).expect("the output file");
        let mut command = Command::new(DOVECOT);
        command
            .arg("-F")
            .arg("-c")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the output file is shared"))
            .stderr(output);
        die_with_parent(&mut command);
        let child = command.spawn().expect("dovecot starts");
        let mut server = ImapServer {
            child: Some(child),
            port,
            dir,
            maildir,
            owner,
        };
        server.wait_for_greeting();
        server
    }

    /// Waits until the port accepts and the server says `* OK`.
    fn wait_for_greeting(&mut self) {
        let deadline = Instant::now() + crate::PATIENCE;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("dovecot exited with {status}:\n{}", self.log());
                }
            }
            if let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                if BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("* OK") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "dovecot never greeted on port {}:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The IMAP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name.
    pub fn username(&self) -> &str {
        USERNAME
    }

    /// The user's password.
    pub fn password(&self) -> &str {
        PASSWORD
    }

    /// `[bounces.mailbox]` for this server: plain IMAP, the user's INBOX, polled every second.
    pub fn mailbox_config(&self) -> MailboxConfig {
        MailboxConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: MailboxTls::None,
            tls_ca_file: None,
            username: USERNAME.into(),
            password: PASSWORD.into(),
            folder: "INBOX".into(),
            poll_secs: 1,
        }
    }

    /// Puts `raw` into the user's INBOX: written into the Maildir's `tmp/`, then moved into `new/`.
    pub fn deliver(&self, raw: &[u8]) {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970");
        let name = format!(
            "{}.M{}P{}Q{}.circulars-test",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw).expect("the message is written");
        if let Some((uid, gid)) = self.owner {
            nix::unistd::chown(&tmp, Some(uid), Some(gid))
                .expect("the message is given to the mail user");
        }
        std::fs::rename(&tmp, self.maildir.join("new").join(&name))
            .expect("the message is delivered");
    }

    /// How many messages the INBOX holds that are not flagged deleted (Maildir flag `T`).
    pub fn messages_left(&self) -> usize {
        let flagged_deleted = |name: &str| {
            name.rsplit_once(":2,")
                .is_some_and(|(_, flags)| flags.contains('T'))
        };
        ["new", "cur"]
            .iter()
            .flat_map(|sub| {
                std::fs::read_dir(self.maildir.join(sub)).expect("the Maildir is readable")
            })
            .filter_map(|entry| entry.ok())
            .filter(|entry| !flagged_deleted(&entry.file_name().to_string_lossy()))
            .count()
    }

    /// dovecot's log, for failure messages.
    pub fn log(&self) -> String {
        let mut text = std::fs::read_to_string(self.dir.join("dovecot.out")).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default());
        text
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SIGTERM: the master stops its own processes (auth, login, imap) before it exits.
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Fails the test clearly on a dovecot whose configuration language the harness does not write.
fn check_version() {
    let output = Command::new(DOVECOT)
        .arg("--version")
        .output()
        .expect("dovecot --version runs");
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with("2.3."),
        "the harness writes dovecot 2.3's configuration; {DOVECOT} is {}",
        version.trim()
    );
}

/// Gives `path` and everything under it to `uid`:`gid`.
fn chown_tree(path: &Path, uid: Uid, gid: Gid) {
    nix::unistd::chown(path, Some(uid), Some(gid)).expect("the mail folder is given to its user");
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("the mail folder is readable") {
            chown_tree(&entry.expect("a folder entry").path(), uid, gid);
        }
    }
}
