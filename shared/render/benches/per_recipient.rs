//! What one more recipient costs: filling the stored language version and building the mail
//! (unsigned, with an Ed25519 DKIM signature, with an RSA-2048 one), each as a ratio against the
//! baseline of rendering the whole language version with Fluent, measured in the same run.
//! Then, for each language, the mail spliced from its [`MailTemplate`] against the mail lettre
//! builds whole (`mail::build`, the baseline of that table), with DKIM off, Ed25519 and
//! RSA-2048, and the size of each mail.
//!
//! `cargo bench -p circulars-render --bench per_recipient` (release). Under `cargo test` it
//! runs each case once, as a smoke test.

use circulars_core::config::MailConfig;
use circulars_core::domain::{Circular, Language, Recipient, RecipientAddress};
use circulars_core::tokens::Keyring;
use circulars_render::dkim::{DkimAlgorithm, DkimSigner};
use circulars_render::mail::{build, MailSettings, MailTemplate};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget` (at least once) and returns the mean time per run.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    let mut runs = 0u32;
    while runs == 0 || start.elapsed() < budget {
        f();
        runs += 1;
    }
    start.elapsed() / runs
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let budget = if benchmarking {
        Duration::from_secs(3)
    } else {
        Duration::ZERO
    };
    let short_budget = budget / 2;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let circular = Circular::from_toml(
        "tsb-36.toml",
        &std::fs::read_to_string(root.join("../../samples/circulars/tsb-36.toml"))?,
    )?;
    let templates = Templates::embedded()?;
    let language = Language::Fr;
    let rendition = render(&templates, &circular, language)?;
    let config = MailConfig::default();
    let keyring = Keyring::development();
    let fixtures = root.join("tests/fixtures/dkim");
    let rsa = DkimSigner::from_file(
        "itu.example",
        "circulars",
        DkimAlgorithm::Rsa,
        &fixtures.join("rsa-2048.pkcs8.pem"),
    )?;
    let ed25519 = DkimSigner::from_file(
        "itu.example",
        "circulars",
        DkimAlgorithm::Ed25519,
        &fixtures.join("ed25519.pkcs8.pem"),
    )?;
    let mut n = 0u64;
    let mut recipient = || {
        n += 1;
        Recipient {
            address: RecipientAddress::parse(&format!("contact{n}@ptt.freedonia.example.org"))
                .unwrap_or_else(|e| panic!("{e}")),
            name: "Amina Diallo".into(),
            language,
            addressee: "Administration of Freedonia"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        }
    };
    let mut fill = |dkim: Option<&DkimSigner>| {
        let settings = MailSettings {
            config: &config,
            keyring: &keyring,
            dkim,
        };
        let mail = build(&rendition, &[], &recipient(), settings).unwrap_or_else(|e| panic!("{e}"));
        black_box(mail.formatted());
    };

    let baseline = measure(budget, || {
        black_box(render(&templates, &circular, language).unwrap_or_else(|e| panic!("{e}")));
    });
    let unsigned = measure(budget, || fill(None));
    let with_ed25519 = measure(budget, || fill(Some(&ed25519)));
    let with_rsa = measure(budget, || fill(Some(&rsa)));
    let render_and_fill = measure(budget, || {
        black_box(render(&templates, &circular, language).unwrap_or_else(|e| panic!("{e}")));
        fill(None);
    });

    println!(
        "per-recipient cost, TSB-36 in French ({} bytes of HTML)",
        rendition.html_body.len()
    );
    println!("{:<40}{:>12}{:>10}", "case", "per mail", "ratio");
    for (case, t) in [
        ("baseline: full Fluent render", baseline),
        ("fill unsigned", unsigned),
        ("fill + DKIM Ed25519", with_ed25519),
        ("fill + DKIM RSA-2048", with_rsa),
        ("(rendering per recipient: render + fill)", render_and_fill),
    ] {
        println!(
            "{case:<40}{:>10.1} µs{:>9.2}x",
            t.as_secs_f64() * 1e6,
            t.as_secs_f64() / baseline.as_secs_f64()
        );
    }

    println!();
    println!(
        "per recipient, the mail spliced from its language's template vs lettre's mail::build"
    );
    println!(
        "{:<6}{:>9}{:>9}{:>12}{:>12}{:>8}{:>12}{:>12}{:>8}{:>12}{:>12}{:>8}{:>12}",
        "lang",
        "lettre B",
        "tmpl B",
        "lettre µs",
        "tmpl µs",
        "ratio",
        "+Ed lettre",
        "+Ed tmpl",
        "ratio",
        "+RSA lettre",
        "+RSA tmpl",
        "ratio",
        "template µs"
    );
    let now = chrono::Utc::now();
    let mut signing = Vec::new();
    for language in Language::ALL {
        let rendition = render(&templates, &circular, language)?;
        let template = MailTemplate::new(&rendition, &[], &config)?;
        let made = measure(short_budget, || {
            black_box(
                MailTemplate::new(&rendition, &[], &config).unwrap_or_else(|e| panic!("{e}")),
            );
        });
        let mut n = 0u64;
        let mut recipient = || {
            n += 1;
            Recipient {
                address: RecipientAddress::parse(&format!("contact{n}@ptt.freedonia.example.org"))
                    .unwrap_or_else(|e| panic!("{e}")),
                name: "Amina Diallo".into(),
                language,
                addressee: "Administration of Freedonia"
                    .parse()
                    .unwrap_or_else(|e| panic!("{e}")),
            }
        };
        let sample = recipient();
        let lettre_bytes = build(
            &rendition,
            &[],
            &sample,
            MailSettings {
                config: &config,
                keyring: &keyring,
                dkim: None,
            },
        )?
        .formatted()
        .len();
        let template_bytes = template
            .mail_for(&sample, &keyring, None, now)?
            .message
            .len();
        let mut row = Vec::new();
        for dkim in [None, Some(&ed25519), Some(&rsa)] {
            let whole = measure(short_budget, || {
                let settings = MailSettings {
                    config: &config,
                    keyring: &keyring,
                    dkim,
                };
                let mail = build(&rendition, &[], &recipient(), settings)
                    .unwrap_or_else(|e| panic!("{e}"));
                black_box(mail.formatted());
            });
            let spliced = measure(short_budget, || {
                black_box(
                    template
                        .mail_for(&recipient(), &keyring, dkim, now)
                        .unwrap_or_else(|e| panic!("{e}")),
                );
            });
            row.push((whole, spliced));
        }
        let us = |t: Duration| t.as_secs_f64() * 1e6;
        print!("{:<6}{lettre_bytes:>9}{template_bytes:>9}", language.code());
        for (whole, spliced) in row {
            print!(
                "{:>12.1}{:>12.1}{:>7.2}x",
                us(whole),
                us(spliced),
                spliced.as_secs_f64() / whole.as_secs_f64()
            );
        }
        println!("{:>12.1}", us(made));

        // What the Ed25519 signature of a spliced mail costs, and how much of it is the body
        // (canonicalised and hashed): signing the mail vs signing its header fields alone.
        let message = template.mail_for(&sample, &keyring, None, now)?.message;
        let head_end = message
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(message.len(), |at| at + 4);
        let whole = measure(short_budget, || {
            black_box(
                ed25519
                    .signature_field(&message)
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        });
        let head_only = measure(short_budget, || {
            black_box(
                ed25519
                    .signature_field(&message[..head_end])
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        });
        signing.push((language, whole, whole.saturating_sub(head_only)));
    }
    println!();
    println!("Ed25519 signature of a spliced mail (mail-auth)");
    println!("{:<6}{:>12}{:>16}", "lang", "sign µs", "of which body");
    for (language, whole, body) in signing {
        println!(
            "{:<6}{:>12.1}{:>16.1}",
            language.code(),
            whole.as_secs_f64() * 1e6,
            body.as_secs_f64() * 1e6
        );
    }
    Ok(())
}
