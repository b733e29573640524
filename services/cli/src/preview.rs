//! `circulars preview FILE --out DIR | --send-to ADDRESS`: the six language versions of a
//! circular as a recipient gets them, before it is issued. Needs no database or running service.

use anyhow::{bail, Context, Result};
use circulars_core::config::Config;
use circulars_core::domain::{Circular, Language, Recipient, RecipientAddress};
use circulars_render::mail::{self, MailSettings};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use circulars_store::{escape_html, Rendition};
use std::path::Path;

/// The sample recipient a preview is addressed to, in `language`.
fn sample_recipient(language: Language) -> Result<Recipient> {
    Ok(Recipient {
        address: RecipientAddress::parse(&format!("preview.{language}@example.org"))?,
        name: "Sample Recipient".into(),
        language,
        addressee: "Administration of Freedonia".parse()?,
    })
}

/// One language version, ready to write or send.
struct Version {
    language: Language,
    rendition: Rendition,
    mail: lettre::Message,
    text: String,
    html: String,
}

/// Renders and builds the six versions of the circular in `file`.
fn versions(config: &Config, file: &Path, to: Option<&RecipientAddress>) -> Result<Vec<Version>> {
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
    let templates = Templates::embedded()?;
    let keyring = config.tokens.keyring()?;
    if keyring.is_development() {
        eprintln!("note: no [tokens] keys configured: links and envelope senders are signed with the public development key");
    }
    let dkim = circulars_render::dkim_signer(config)?;
    let settings = MailSettings {
        config: &config.mail,
        keyring: &keyring,
        dkim: dkim.as_ref(),
    };
    let mut out = Vec::new();
    for language in Language::ALL {
        let mut rendition = render(&templates, &circular, language)?;
        let mut recipient = sample_recipient(language)?;
        if let Some(to) = to {
            recipient.address = to.clone();
            rendition.subject = format!("[TEST COPY] {}", rendition.subject);
        }
        let own: Vec<_> = annexes
            .iter()
            .filter(|a| a.language == language)
            .cloned()
            .collect();
        let own = mail::prepare_annexes(&own)?;
        let key = circulars_core::domain::DeliveryKey::new(
            circular.id.clone(),
            recipient.address.clone(),
        );
        let (text, html) = rendition.personalise(
            recipient.addressee.name(),
            &mail::unsubscribe_url(&config.mail, &keyring, &key),
        );
        let mail = mail::build(&rendition, &own, &recipient, settings)?;
        out.push(Version {
            language,
            rendition,
            mail,
            text,
            html,
        });
    }
    Ok(out)
}

/// Writes `DIR/<lang>.html`, `.txt`, `.eml` and `DIR/index.html`.
pub fn write(config: &Config, file: &Path, out: &Path) -> Result<()> {
    let versions = versions(config, file, None)?;
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
        std::fs::write(out.join(format!("{code}.eml")), v.mail.formatted())?;
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

/// Sends the six versions to `address` through the configured relays, marked as a test copy.
pub async fn send(config: &Config, file: &Path, address: &str) -> Result<()> {
    let to = RecipientAddress::parse(address)?;
    let relays = circulars_relays::Relays::from_config(&config.smtp)?;
    for v in versions(config, file, Some(&to))? {
        let sent = relays.send(v.mail).await;
        match sent.result {
            Ok(reply) => println!(
                "{}: sent to {to} through {} ({})",
                v.language,
                sent.relay,
                u16::from(reply.code())
            ),
            Err(e) => bail!(
                "{}: not sent to {to} through {}: {e}",
                v.language,
                sent.relay
            ),
        }
    }
    Ok(())
}
