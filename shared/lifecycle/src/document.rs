//! A circular as a document in the shape of a circular file (`docs/FORMATS.md`), for the API
//! and the console: read from JSON through the very checks and words of the file loader, and
//! written back in the same shape.

use circulars_core::domain::{Circular, DirectoryIds};
use circulars_core::input::FileProblems;
use serde_json::{json, Map, Value};

/// Reads a circular sent as JSON in the shape of a circular file, with the file's checks
/// against the directory's categories and topics; each problem names its field (`text.fr.subject`)
/// and no line, since there is no file. `source` names the request in the report (`api`).
pub fn circular_from_json(
    source: &str,
    document: &Value,
    known: &DirectoryIds,
) -> Result<Circular, FileProblems> {
    let mut problems = FileProblems::new(source);
    let table = match document {
        Value::Object(fields) => toml_table(fields, true),
        _ => {
            problems.push(
                None,
                "body",
                "expected a JSON object: the circular's fields",
            );
            return Err(problems);
        }
    };
    let text = toml::to_string(&table).unwrap_or_default();
    Circular::from_toml_with(source, &text, known).map_err(|mut found| {
        for problem in &mut found.problems {
            problem.line = None;
            problem.column = None;
        }
        found
    })
}

/// The circular in the shape of a circular file, as JSON (the date as `YYYY-MM-DD`).
pub fn circular_to_json(circular: &Circular) -> Value {
    let texts: Map<String, Value> = circular
        .texts
        .iter()
        .map(|(language, text)| {
            let mut fields = json!({ "subject": text.subject, "body": text.body });
            if let Some(reference) = &text.reference {
                fields["reference"] = json!(reference);
            }
            (language.code().to_owned(), fields)
        })
        .collect();
    let mut contact = json!({ "name": circular.contact.name, "email": circular.contact.email });
    if let Some(tel) = &circular.contact.tel {
        contact["tel"] = json!(tel);
    }
    if let Some(fax) = &circular.contact.fax {
        contact["fax"] = json!(fax);
    }
    let mut document = json!({
        "series": circular.series,
        "number": circular.number,
        "reference": circular.reference,
        "date": circular.date.format("%Y-%m-%d").to_string(),
        "categories": circular.categories.iter().map(|c| c.id()).collect::<Vec<_>>(),
        "copy": circular.copy.iter().map(|c| c.id()).collect::<Vec<_>>(),
        "annexes": circular.annexes,
        "fallback_language": circular.fallback_language.code(),
        "contact": contact,
        "text": texts,
    });
    if let Some(signatory) = &circular.signatory {
        document["signatory"] = json!(signatory);
    }
    if let Some(topic) = &circular.topic {
        document["topic"] = json!(topic.as_str());
    }
    if !circular.archive {
        document["archive"] = json!(false);
    }
    document
}

/// JSON fields as a TOML table: nulls dropped (TOML has none), and at the top level a
/// `date` string made a TOML date when it reads as one, so the loader checks it as in a file.
fn toml_table(fields: &Map<String, Value>, top: bool) -> toml::Table {
    fields
        .iter()
        .filter_map(|(key, value)| {
            let value = if top && key == "date" {
                match value {
                    Value::String(s) => s
                        .parse::<toml::value::Datetime>()
                        .map(toml::Value::Datetime)
                        .ok()
                        .or_else(|| toml_value(value)),
                    _ => toml_value(value),
                }
            } else {
                toml_value(value)
            }?;
            Some((key.clone(), value))
        })
        .collect()
}

/// One JSON value as TOML (`None` for null).
fn toml_value(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(toml_value).collect()),
        Value::Object(fields) => toml::Value::Table(toml_table(fields, false)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Circular {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        Circular::from_toml("tsb-36.toml", text).unwrap()
    }

    #[test]
    fn a_circular_goes_to_json_and_back_unchanged() {
        let circular = sample();
        let document = circular_to_json(&circular);
        assert_eq!(document["date"], "2025-03-12");
        let back = circular_from_json("api", &document, &DirectoryIds::default()).unwrap();
        assert_eq!(back, circular);
    }

    #[test]
    fn problems_name_the_field_in_the_files_words_without_a_line() {
        let mut document = circular_to_json(&sample());
        document["text"]["fr"]["subject"] = json!("");
        document["date"] = json!("12 March");
        document["colour"] = json!("blue");
        let report = circular_from_json("api", &document, &DirectoryIds::default()).unwrap_err();
        assert!(report.problems.iter().all(|p| p.line.is_none()), "{report}");
        assert_eq!(report.problems[0].field, "colour", "{report}");
        document.as_object_mut().unwrap().remove("colour");
        document["date"] = json!("2025-03-12");
        let report = circular_from_json("api", &document, &DirectoryIds::default()).unwrap_err();
        assert_eq!(report.problems[0].field, "text.fr.subject", "{report}");
        assert!(report.problems.iter().all(|p| p.line.is_none()), "{report}");
        let not_an_object = circular_from_json("api", &json!([1]), &DirectoryIds::default());
        assert_eq!(not_an_object.unwrap_err().problems[0].field, "body");
    }
}
