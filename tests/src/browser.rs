//! A real headless Chromium for the browser stories, driven over WebDriver with `fantoccini`:
//! what a person does on a page (open it, fill a field by its label, press a button, read it),
//! and after each step a screenshot and an accessibility check with axe-core.
//!
//! - [`Browser::start`]: Debian's `chromedriver` as a child on a free loopback port, dying with
//!   the test's thread, and a Chromium session with a fresh profile, dying with `chromedriver`
//! - [`Browser::goto`], [`Browser::fill`], [`Browser::fill_named`], [`Browser::press`],
//!   [`Browser::text`]: the person's actions and what they read
//! - [`Browser::check_accessibility`]: axe-core run on the page against WCAG 2.x A and AA; any
//!   violation fails the test, listed with its rule, impact, help and elements
//! - [`Browser::screenshot`], [`Browser::step`]: `NN-step.png` in the test's output folder,
//!   `<target dir>/test-output/<test name>/`
//!
//! `deploy/install-deps` installs Chromium, chromedriver and axe-core; without them a browser
//! story fails (never skips), naming what to run. `browser/axe.rs` runs axe-core and words its
//! findings.

mod axe;

pub use axe::{ViolatingNode, Violation};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package `chromium-driver`), the same version as [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Headless, and nothing that reaches the internet or asks a question on first run; reduced
/// motion, so that a page never scrolls smoothly under a click (chromedriver scrolls a button
/// into view, then clicks where it was told it would be).
const CHROMIUM_FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1024,768",
    "--lang=en",
    "--force-prefers-reduced-motion",
];
/// How long a field or button may take to appear on a page that is still arriving.
const FIND_PATIENCE: Duration = Duration::from_secs(10);
/// How long chromedriver may take to say it listens.
const DRIVER_PATIENCE: Duration = Duration::from_secs(30);

/// A headless Chromium session and the chromedriver serving it; both end when this is dropped.
pub struct Browser {
    client: Client,
    driver: Child,
    /// The wrapper script and the profile; removed after the browser ends.
    _dir: tempfile::TempDir,
    output: PathBuf,
    steps: u32,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile; screenshots go to
    /// `<target dir>/test-output/<test name>/`, emptied first.
    pub async fn start() -> Browser {
        for (binary, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: run deploy/install-deps (it installs Debian's {package})"
            );
        }
        let output = test_output_dir();
        let _ = std::fs::remove_dir_all(&output);
        std::fs::create_dir_all(&output).expect("the test's output folder is created");
        let dir = tempfile::Builder::new()
            .prefix("circulars-browser-")
            .tempdir()
            .expect("a temporary folder");
        let (driver, port) = start_chromedriver(&output.join("chromedriver.log"));
        let binary = chromium_dying_with_driver(dir.path());
        let profile = dir.path().join("profile");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        let options = json!({ "binary": binary, "args": args });
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no Chromium session: {e}\n{}",
                    read(&output.join("chromedriver.log"))
                )
            });
        Browser {
            client,
            driver,
            _dir: dir,
            output,
            steps: 0,
        }
    }

    /// The WebDriver client, for what the steps below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The folder the screenshots go to.
    pub fn output_dir(&self) -> &Path {
        &self.output
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Types `value` into the field whose label reads `label` (its whole text, white space
    /// trimmed), after clearing it.
    pub async fn fill(&self, label: &str, value: &str) {
        let text = xpath_literal(label);
        let xpath = format!(
            "//*[@id = //label[normalize-space(.) = {text}]/@for] \
             | //label[normalize-space(.) = {text}]//*[self::input or self::select or self::textarea]"
        );
        self.type_into(&xpath, &format!("the field labelled {label:?}"), value)
            .await;
    }

    /// Types `value` into the field named `name` (its `name` attribute), after clearing it.
    pub async fn fill_named(&self, name: &str, value: &str) {
        let xpath = format!("//*[@name = {}]", xpath_literal(name));
        self.type_into(&xpath, &format!("the field named {name:?}"), value)
            .await;
    }

    async fn type_into(&self, xpath: &str, what: &str, value: &str) {
        let field = self.find(xpath, what).await;
        field.clear().await.expect("the field can be cleared");
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {what}: {e}"));
    }

    /// The element `xpath` finds, `what` naming it when there is none. A page that is still
    /// arriving (a form's answer, a navigation just started) is given up to ten seconds.
    async fn find(&self, xpath: &str, what: &str) -> Element {
        let deadline = std::time::Instant::now() + FIND_PATIENCE;
        let found = loop {
            match self.client.find(Locator::XPath(xpath)).await {
                Ok(element) => break Ok(element),
                Err(e) if std::time::Instant::now() >= deadline => break Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        match found {
            Ok(element) => element,
            Err(e) => panic!(
                "no {what} on the page: {e}\nThe page reads:\n{}",
                self.text().await
            ),
        }
    }

    /// Presses the button whose text reads `text`, and waits for the page it leads to (when it
    /// submits a form, chromedriver waits for the navigation).
    pub async fn press(&self, text: &str) {
        let literal = xpath_literal(text);
        let xpath = format!(
            "//button[normalize-space(.) = {literal}] \
             | //input[(@type = 'submit' or @type = 'button') and @value = {literal}]"
        );
        let button = self.find(&xpath, &format!("button {text:?}")).await;
        // The console scrolls smoothly: a button below the fold would still be moving when
        // chromedriver clicks where it scrolled it to, so it is brought into view at once.
        let arguments = vec![serde_json::to_value(&button).expect("an element reference")];
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                arguments,
            )
            .await
            .unwrap_or_else(|e| panic!("cannot scroll to {text:?}: {e}"));
        button
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot press {text:?}: {e}"));
    }

    /// The page's text as a person reads it (the body's rendered text).
    pub async fn text(&self) -> String {
        let body = self.client.find(Locator::Css("body")).await;
        match body {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no page body: {e})"),
        }
    }

    /// Runs axe-core on the page against WCAG 2.x A and AA, and returns what it found broken.
    pub async fn accessibility_violations(&self) -> Vec<Violation> {
        axe::violations(&self.client).await
    }

    /// Fails the test if axe-core finds any WCAG 2.x A or AA violation on the page, listing each
    /// with its rule, impact, help and the elements concerned; `step` names the page.
    pub async fn check_accessibility(&self, step: &str) {
        let violations = self.accessibility_violations().await;
        if !violations.is_empty() {
            let url = self.client.current_url().await.map(|u| u.to_string());
            panic!(
                "{}",
                axe::report(step, &url.unwrap_or_default(), &violations)
            );
        }
    }

    /// Saves a screenshot of the window as `NN-step.png` in the test's output folder, prints
    /// its path and returns it.
    pub async fn screenshot(&mut self, step: &str) -> PathBuf {
        self.steps += 1;
        let png = self.client.screenshot().await.expect("a screenshot");
        let file = self
            .output
            .join(format!("{:02}-{}.png", self.steps, file_name(step)));
        std::fs::write(&file, png).expect("the screenshot is written");
        println!("screenshot: {}", file.display());
        file
    }

    /// A step of the story: a screenshot of the page, then its accessibility check.
    pub async fn step(&mut self, step: &str) {
        self.screenshot(step).await;
        self.check_accessibility(step).await;
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) {
        let client = self.client.clone();
        client.close().await.expect("the browser session ends");
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium dies with chromedriver (see `chromium_dying_with_driver`).
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Starts chromedriver on a port it picks (`--port=0`), logging to `log`, and waits until it
/// says which port it listens on.
fn start_chromedriver(log: &Path) -> (Child, u16) {
    let log_file = std::fs::File::create(log).expect("chromedriver's log is created");
    let mut command = Command::new(CHROMEDRIVER);
    command
        .arg("--port=0")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("the log file is shared"))
        .stderr(log_file);
    circulars_local_servers::die_with_parent(&mut command);
    let mut driver = command.spawn().expect("chromedriver starts");
    let deadline = Instant::now() + DRIVER_PATIENCE;
    loop {
        let text = read(log);
        let port = text
            .split("was started successfully on port ")
            .nth(1)
            .and_then(|rest| rest.split('.').next())
            .and_then(|port| port.parse().ok());
        if let Some(port) = port {
            return (driver, port);
        }
        if let Ok(Some(status)) = driver.try_wait() {
            panic!("chromedriver exited with {status}:\n{text}");
        }
        if Instant::now() > deadline {
            let _ = driver.kill();
            panic!("chromedriver did not start within {DRIVER_PATIENCE:?}:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A script in `dir` that runs Chromium with a parent-death signal, so that Chromium (which
/// would otherwise outlive a killed chromedriver) ends with it; returns its path.
fn chromium_dying_with_driver(dir: &Path) -> String {
    let script = dir.join("chromium");
    let text = format!("#!/bin/sh\nexec setpriv --pdeathsig KILL {CHROMIUM} \"$@\"\n");
    std::fs::write(&script, text).expect("the Chromium wrapper is written");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("the Chromium wrapper is made executable");
    script.display().to_string()
}

/// `<target dir>/test-output/<test name>`, the test's name being its thread's (`::` as `.`).
fn test_output_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // <target dir>/<profile>/deps/<test binary>
    let target = exe
        .ancestors()
        .nth(3)
        .expect("tests run from <target dir>/<profile>/deps");
    let thread = std::thread::current();
    let name = match thread.name() {
        Some(name) if name != "main" => name.replace("::", "."),
        _ => exe
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "browser".into()),
    };
    target.join("test-output").join(file_name(&name))
}

/// `text` as a file name: letters, digits, `.` and `_` kept, anything else a `-`.
fn file_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `text` as an XPath 1.0 string literal (which has no escapes: quotes are joined with concat).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        return format!("'{text}'");
    }
    if !text.contains('"') {
        return format!("\"{text}\"");
    }
    let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}

/// A text file's content, or why it cannot be read.
fn read(file: &Path) -> String {
    std::fs::read_to_string(file).unwrap_or_else(|e| format!("({}: {e})", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_hold_any_quote() {
        assert_eq!(xpath_literal("Name"), "'Name'");
        assert_eq!(xpath_literal("Rec'd"), "\"Rec'd\"");
        assert_eq!(xpath_literal("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }

    #[test]
    fn step_names_make_plain_file_names() {
        assert_eq!(file_name("Unsubscribe page"), "unsubscribe-page");
        assert_eq!(file_name("story.sqlite"), "story.sqlite");
    }
}
