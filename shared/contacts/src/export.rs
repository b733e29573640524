//! Writing the directory as a directory file, the format [`crate::import`] reads, so staff can
//! edit it in a spreadsheet and import it back.

use crate::import::{categories_text, sort_categories, topics_text, COLUMNS};
use circulars_store::{DirectoryRecord, StoredContact};

/// Writes `contacts` as a directory file: the header, then one row per contact in the order
/// given, categories as a circular's "To" list orders them and topics by id, so that reading it
/// back gives the same records.
pub fn write_csv(contacts: &[StoredContact], out: impl std::io::Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    for contact in contacts {
        writer.write_record(row(&contact.record))?;
    }
    writer.flush()
}

/// A record's fields, in the order of [`COLUMNS`].
fn row(r: &DirectoryRecord) -> [String; 10] {
    let mut categories = r.categories.clone();
    sort_categories(&mut categories);
    let mut topics = r.topics.clone();
    topics.sort();
    [
        r.addressee.to_string(),
        r.addressee_name.to_string(),
        r.addressee_language
            .map(|l| l.code().to_owned())
            .unwrap_or_default(),
        categories_text(&categories),
        r.address_written.clone(),
        r.name.clone(),
        r.language.map(|l| l.code().to_owned()).unwrap_or_default(),
        r.role.clone(),
        r.status.to_string(),
        topics_text(&topics),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse_records;
    use circulars_core::domain::{
        Addressee, AddresseeKey, Category, DirectoryIds, Language, RecipientAddress, TopicId,
    };
    use circulars_store::ContactStatus;

    fn known() -> DirectoryIds {
        DirectoryIds {
            custom_categories: vec![Category::parse("regional-offices").unwrap()],
            topics: vec![
                TopicId::parse("tsb-events").unwrap(),
                TopicId::parse("workshops").unwrap(),
            ],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        key: &str,
        addressee: &str,
        addressee_language: Option<Language>,
        categories: &[&str],
        address: &str,
        name: &str,
        role: &str,
        status: ContactStatus,
        topics: &[(&str, bool)],
    ) -> DirectoryRecord {
        DirectoryRecord {
            addressee: AddresseeKey::parse(key).unwrap(),
            addressee_name: Addressee::parse(addressee).unwrap(),
            addressee_language,
            categories: categories
                .iter()
                .map(|c| Category::parse(c).unwrap())
                .collect(),
            address_written: address.to_owned(),
            address: RecipientAddress::parse(address).unwrap(),
            name: name.to_owned(),
            language: Some(Language::Ar),
            role: role.to_owned(),
            status,
            topics: topics
                .iter()
                .map(|(t, s)| (TopicId::parse(t).unwrap(), *s))
                .collect(),
            source: "db".to_owned(),
        }
    }

    /// Records as the store holds them: categories in "To" order, topics by id.
    fn stored() -> Vec<StoredContact> {
        let records = [
            record(
                "adm-aldoria",
                "Administration of Aldoria",
                Some(Language::Fr),
                &["member-states", "permanent-missions", "regional-offices"],
                "amina@Ptt.Aldoria.example",
                "Amina Diallo",
                "Director, \"Spectrum\" unit",
                ContactStatus::Active,
                &[("tsb-events", true), ("workshops", false)],
            ),
            record(
                "adm-aldoria",
                "Administration of Aldoria",
                Some(Language::Fr),
                &["member-states", "permanent-missions", "regional-offices"],
                "info@bücher.example",
                "ليلى المنصوري",
                "",
                ContactStatus::Inactive,
                &[],
            ),
            record(
                "globex",
                "Globex, Inc.",
                None,
                &["sector-members"],
                "o'brien@example.net",
                "Brien, Liam",
                "focal point",
                ContactStatus::Unsubscribed,
                &[("workshops", true)],
            ),
        ];
        records
            .into_iter()
            .enumerate()
            .map(|(i, record)| StoredContact {
                id: i as i64 + 1,
                record,
            })
            .collect()
    }

    fn without_source(mut r: DirectoryRecord) -> DirectoryRecord {
        r.source.clear();
        r
    }

    #[test]
    fn an_export_reads_back_as_the_same_records() {
        let contacts = stored();
        let mut out = Vec::new();
        write_csv(&contacts, &mut out).unwrap();
        let back = parse_records("export.csv", &out, &known()).unwrap();
        assert_eq!(
            back.into_iter().map(without_source).collect::<Vec<_>>(),
            contacts
                .into_iter()
                .map(|c| without_source(c.record))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_export_has_the_header_and_one_row_per_contact_in_a_stable_order() {
        let mut contacts = stored();
        contacts[0].record.categories.reverse();
        contacts[0].record.topics.reverse();
        let mut out = Vec::new();
        write_csv(&contacts, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "adm-aldoria,Administration of Aldoria,fr,member-states;permanent-missions;regional-offices,\
             amina@Ptt.Aldoria.example,Amina Diallo,ar,\"Director, \"\"Spectrum\"\" unit\",active,tsb-events;-workshops"
        );
        assert_eq!(
            lines[3],
            "globex,\"Globex, Inc.\",,sector-members,o'brien@example.net,\"Brien, Liam\",ar,focal point,unsubscribed,workshops"
        );
    }

    #[test]
    fn an_empty_directory_exports_the_header_alone() {
        let mut out = Vec::new();
        write_csv(&[], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{}\n", COLUMNS.join(","))
        );
    }
}
