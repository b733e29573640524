//! Someone trying the console runs the README's third command: the servers start with the
//! sample directory and the sample drafted, demo accounts for the four roles are made, and the
//! console's address and their one-time passwords are printed; each account signs in with its
//! password, and Ctrl-C (SIGINT) stops everything.

use circulars_tests::http::request;
use circulars_tests::{circulars_binary, workspace};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_command_prints_an_address_and_demo_accounts_that_sign_in() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(circulars_binary())
        .args(["try-console", "--data"])
        .arg(data.path())
        .current_dir(workspace())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines, printed) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut url = None;
    let mut passwords = BTreeMap::new();
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.starts_with("Ctrl-C")) {
        let line = printed
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("try-console printed only:\n{}", seen.join("\n")));
        if let Some(address) = line.strip_prefix("The staff console: ") {
            url = Some(address.trim_end_matches("/staff").to_owned());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [name, _role, password] = words[..] {
            if name.starts_with("demo-") {
                passwords.insert(name.to_owned(), password.to_owned());
            }
        }
        seen.push(line);
    }
    let url = url.expect("the console's address");
    assert!(
        seen.iter().any(|l| l == "drafted TSB-36 as demo-drafter"),
        "{seen:?}"
    );
    assert_eq!(
        passwords.keys().collect::<Vec<_>>(),
        [
            "demo-admin",
            "demo-approver",
            "demo-drafter",
            "demo-operator"
        ]
    );

    for (name, password) in &passwords {
        let body = format!("name={name}&password={password}");
        let signed = request(
            "POST",
            &format!("{url}/staff/sign-in"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await;
        assert_eq!(signed.status, 303, "{name}: {}", signed.body);
        let cookie = signed.header("set-cookie").expect("a session cookie");
        let session = cookie.split(';').next().unwrap().to_owned();
        let listed = request(
            "GET",
            &format!("{url}/api/v1/circulars"),
            &[("Cookie", &session)],
            b"",
        )
        .await;
        assert_eq!(listed.status, 200, "{name}: {}", listed.body);
        assert!(
            listed.body.contains("\"TSB-36\"") && listed.body.contains("\"draft\""),
            "{}",
            listed.body
        );
    }

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "try-console ended with {status}");
}
