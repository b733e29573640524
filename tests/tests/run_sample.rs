//! A new user runs the README's run command: the sample circular is issued end to end on a
//! fresh local setup, the summary and the folder of delivered mails are printed, the servers it
//! started are stopped, and a second run works the same way.

use circulars_tests::{circulars_binary, workspace};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn run_sample(data: &std::path::Path) -> String {
    let out = Command::new(circulars_binary())
        .args(["run-sample", "--timeout", "90", "--data"])
        .arg(data)
        .current_dir(workspace())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "run-sample failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn mail_folder(stdout: &str) -> PathBuf {
    let last = stdout.lines().last().unwrap();
    let folder = PathBuf::from(last);
    assert!(
        folder.is_absolute(),
        "the last line is the absolute mail folder: {last:?}"
    );
    folder
}

#[test]
fn the_run_command_issues_the_sample_and_a_second_run_works_the_same() {
    let data = tempfile::tempdir().unwrap();
    let mut folders = Vec::new();
    for _ in 0..2 {
        let stdout = run_sample(data.path());
        assert!(
            stdout.contains("approved TSB-36 as demo-approver"),
            "the sample is approved by a second person: {stdout}"
        );
        assert!(
            stdout.contains("258 recipients in the frozen audience, 11 left out"),
            "{stdout}"
        );
        assert!(
            stdout.contains("258 delivered mails (.eml) in:"),
            "{stdout}"
        );
        let folder = mail_folder(&stdout);
        let emls = std::fs::read_dir(&folder)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count();
        assert_eq!(
            emls,
            258,
            "one .eml per delivered mail, directly in {}",
            folder.display()
        );
        // The servers it started are gone: their JetStream store was removed on exit.
        let run = folder.parent().unwrap();
        assert!(!run.join("nats/jetstream").exists());
        folders.push(folder);
    }
    assert_ne!(folders[0], folders[1], "each run has its own folder");
}
