//! axe-core in the page: injected with execute-script from the `axe.min.js` that
//! `deploy/install-deps` installs, run against WCAG 2.x A and AA, and its findings worded for a
//! failing test.

use fantoccini::Client;
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The rule tags checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// Runs `axe.run()` on the document and hands back its violations, how many rules held, and
/// axe-core's version; or the error it failed with.
const RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: arguments[0] } }).then(
  r => done({ violations: r.violations, passes: r.passes.length, version: axe.version }),
  e => done({ error: String(e) }));";

/// One rule that axe-core found broken on a page.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    /// The rule's id, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule asks for, in a sentence.
    pub help: String,
    /// Where the rule is explained.
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// The elements that break it.
    pub nodes: Vec<ViolatingNode>,
}

/// An element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
pub struct ViolatingNode {
    /// Its CSS selector (a list of them when it is inside frames or shadow roots).
    pub target: Vec<Value>,
    /// What to fix on it.
    #[serde(rename = "failureSummary")]
    pub failure_summary: Option<String>,
}

/// What one run found.
#[derive(Debug, Deserialize)]
struct Results {
    violations: Vec<Violation>,
    passes: usize,
    version: String,
}

/// Injects axe-core into the client's page, runs it, and returns the violations; fails the test
/// if it cannot run or checked no rule at all.
pub(super) async fn violations(client: &Client) -> Vec<Violation> {
    client
        .execute(source(), vec![])
        .await
        .expect("axe-core is injected into the page");
    let results = client
        .execute_async(RUN, vec![json!(WCAG_TAGS)])
        .await
        .expect("axe-core runs");
    if let Some(error) = results.get("error") {
        panic!("axe-core failed on the page: {error}");
    }
    let results: Results =
        serde_json::from_value(results).expect("axe-core's results are readable");
    assert!(
        results.passes > 0,
        "axe-core {} checked no rule on the page: nothing was tested",
        results.version
    );
    results.violations
}

/// The failure message: each violation with its impact, help and link, then each element with
/// what to fix.
pub(super) fn report(step: &str, url: &str, violations: &[Violation]) -> String {
    let count = violations.len();
    let mut report = format!("{count} accessibility violation(s) at step {step:?} ({url}):\n");
    for v in violations {
        let impact = v.impact.as_deref().unwrap_or("unknown impact");
        let _ = writeln!(report, "- {} ({impact}): {} <{}>", v.id, v.help, v.help_url);
        for node in &v.nodes {
            let target: Vec<String> = node
                .target
                .iter()
                .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
                .collect();
            let fix = node.failure_summary.as_deref().unwrap_or_default();
            let fix = fix.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(report, "    {}: {fix}", target.join(" > "));
        }
    }
    report
}

/// `axe.min.js`, read once from the folder `deploy/install-deps` installs it in:
/// `$CIRCULARS_BROWSER_TOOLS`, else `~/.cache/circulars/browser-tools`.
fn source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let tools = std::env::var_os("CIRCULARS_BROWSER_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = std::env::var_os("HOME").expect("HOME is set");
                Path::new(&home).join(".cache/circulars/browser-tools")
            });
        let file = tools.join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({}: {e}): run deploy/install-deps",
                file.display()
            )
        })
    })
}
