//! `circulars preview FILE --out DIR | --send-to ADDRESS`: the six language versions of a
//! circular as a recipient gets them, before it is issued. Needs no database or running service.

use anyhow::{bail, Context, Result};
use circulars_core::config::Config;
use circulars_core::domain::{escape_html, Annex, Circular, RecipientAddress};
use circulars_lifecycle::preview;
use std::path::Path;

/// The circular in `file` and its annexes read from beside it, every language's.
fn read(config: &Config, file: &Path) -> Result<(Circular, Vec<Annex>)> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {name}"))?;
    let circular = Circular::from_toml(&name, &text)?;
    let folder = file.parent().unwrap_or(Path::new("."));
    let annexes = circulars_lifecycle::annexes::read_annexes(
        &name,
        folder,
        &circular,
        config.mail.max_annex_bytes,
    )?;
    if config.tokens.keyring()?.is_development() {
        eprintln!("note: no [tokens] keys configured: links and envelope senders are signed with the public development key");
    }
    Ok((circular, annexes))
}

/// Writes `DIR/<lang>.html`, `.txt`, `.eml` and `DIR/index.html`.
pub fn write(config: &Config, file: &Path, out: &Path) -> Result<()> {
    let (circular, annexes) = read(config, file)?;
    let versions = preview::versions(config, &circular, &annexes, None)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut index = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Preview</title></head>\n\
         <body style=\"margin:0;font-family:Arial, sans-serif;background-color:#e5e7eb\">\n\
         <table style=\"width:100%;border-collapse:collapse\"><tr>\n",
    );
    for (i, v) in versions.iter().enumerate() {
        let code = v.language.code();
        std::fs::write(out.join(format!("{code}.html")), &v.html)?;
        std::fs::write(out.join(format!("{code}.txt")), &v.text)?;
        std::fs::write(out.join(format!("{code}.eml")), &v.mail.message)?;
        if i == 3 {
            index.push_str("</tr><tr>\n");
        }
        index.push_str(&format!(
            "<td style=\"vertical-align:top;padding:8px;width:33%\"><p style=\"margin:0 0 4px 0\"><strong>{code}</strong> · {} · \
             <a href=\"{code}.txt\">text</a> · <a href=\"{code}.eml\">.eml</a></p>\
             <iframe src=\"{code}.html\" title=\"{code}\" style=\"width:100%;height:900px;border:1px solid #9ca3af;background-color:#ffffff\"></iframe></td>\n",
            escape_html(&v.rendition.subject)
        ));
    }
    index.push_str("</tr></table>\n</body>\n</html>\n");
    std::fs::write(out.join("index.html"), index)?;
    println!(
        "six versions written to {}",
        std::path::absolute(out)?.display()
    );
    Ok(())
}

/// Sends the six versions to `address` through the configured relays, marked as a test copy;
/// fails naming every language that was not sent.
pub async fn send(config: &Config, file: &Path, address: &str) -> Result<()> {
    let to = RecipientAddress::parse(address)?;
    let relays = circulars_relays::Relays::from_config(&config.smtp)?;
    let (circular, annexes) = read(config, file)?;
    let mut failures = Vec::new();
    for sent in preview::send_test_copies(config, &relays, &circular, &annexes, &to).await? {
        match sent.reply {
            Ok(reply) => println!(
                "{}: sent to {to} through {} ({})",
                sent.language, sent.relay, reply.code
            ),
            Err(e) => failures.push(format!(
                "{}: not sent to {to} through {}: {e}",
                sent.language, sent.relay
            )),
        }
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("\n"));
    }
    Ok(())
}
