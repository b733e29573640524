//! A directory record's fields checked together: each field by [`super::fields`], then what
//! must agree across records (an addressee's name, language and categories; an address's topic
//! choices; each contact once), and the record kept when nothing is wrong.

use super::fields::{
    addressee_key, addressee_name, optional_language, parse_address, parse_categories,
    parse_topics, status, text,
};
use super::{categories_text, topics_text, COLUMNS};
use super::{
    ADDRESS, ADDRESSEE, ADDRESSEE_LANGUAGE, ADDRESSEE_NAME, CATEGORIES, LANGUAGE, NAME, ROLE,
    STATUS, TOPICS,
};
use circulars_core::domain::{
    Addressee, AddresseeKey, Category, DirectoryIds, Language, RecipientAddress, TopicId,
};
use circulars_core::input::FileProblems;
use circulars_store::{ContactStatus, DirectoryRecord};
use std::collections::{HashMap, HashSet};

/// Where records come from, which decides how a place in them is named.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// A CSV file: `file:line:column: column-name:`, and `line N`.
    Csv,
    /// A JSON array of records: `records[i].field:`, and `records[i]`.
    Json,
}

impl Place {
    /// Where an earlier record is, in a message: `on line 3`, `in records[2]`.
    fn of(self, line: usize) -> String {
        match self {
            Place::Csv => format!("on line {line}"),
            Place::Json => format!("in records[{line}]"),
        }
    }
}

/// The checks of every row, and what earlier rows said, for those that must agree.
pub(super) struct Checker<'a> {
    file: &'a str,
    place: Place,
    known: &'a DirectoryIds,
    /// The fields with a quoting mistake, by row line and column: their text is not what the
    /// writer meant, so they are not checked further.
    misquoted: HashSet<(usize, usize)>,
    /// The problems found so far.
    pub(super) problems: FileProblems,
    /// What the first rows of each addressee said about it.
    addressees: HashMap<AddresseeKey, AddresseeSaid>,
    /// The topics the first row of each normalised address gave.
    topics: HashMap<RecipientAddress, FirstSaid<Vec<(TopicId, bool)>>>,
    /// The first line of each contact.
    contacts: HashMap<(AddresseeKey, RecipientAddress), usize>,
    records: Vec<DirectoryRecord>,
}

/// The first line that gave a value, with the value, once one did.
type FirstSaid<T> = Option<(usize, T)>;

/// What the first rows of an addressee said about each of its fields.
#[derive(Default)]
struct AddresseeSaid {
    name: FirstSaid<Addressee>,
    language: FirstSaid<Option<Language>>,
    categories: FirstSaid<Vec<Category>>,
}

/// A record's fields, each parsed (`None`: unreadable or wrong, and already reported).
struct Parsed {
    key: Option<AddresseeKey>,
    addressee_name: Option<Addressee>,
    addressee_language: Option<Option<Language>>,
    categories: Option<Vec<Category>>,
    address: Option<RecipientAddress>,
    name: Option<String>,
    language: Option<Option<Language>>,
    role: Option<String>,
    status: Option<ContactStatus>,
    topics: Option<Vec<(TopicId, bool)>>,
}

impl<'a> Checker<'a> {
    /// A checker of records from `file`, with the problems found before any record.
    pub(super) fn new(
        file: &'a str,
        place: Place,
        known: &'a DirectoryIds,
        misquoted: HashSet<(usize, usize)>,
        problems: FileProblems,
    ) -> Self {
        Checker {
            file,
            place,
            known,
            misquoted,
            problems,
            addressees: HashMap::new(),
            topics: HashMap::new(),
            contacts: HashMap::new(),
            records: Vec::new(),
        }
    }

    /// Checks one row of a file: its number of fields, their encoding, then [`Checker::fields`].
    pub(super) fn row(&mut self, line: usize, record: &csv::ByteRecord) {
        if record.len() != COLUMNS.len() {
            self.problems.push_at(
                line,
                record.len().min(COLUMNS.len()) + 1,
                "row",
                format!(
                    "has {} field{}, expected {} ({})",
                    record.len(),
                    if record.len() == 1 { "" } else { "s" },
                    COLUMNS.len(),
                    COLUMNS.join(",")
                ),
            );
            return;
        }
        let mut fields: [Option<&str>; 10] = [None; 10];
        for (i, bytes) in record.iter().enumerate() {
            if self.misquoted.contains(&(line, i + 1)) {
                continue;
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => fields[i] = Some(text.trim()),
                Err(e) => self.bad(
                    line,
                    i,
                    format!(
                        "is not UTF-8 (byte 0x{:02X} after '{}'): save the file as UTF-8 \
                         (\"CSV UTF-8\" in Excel)",
                        bytes[e.valid_up_to()],
                        String::from_utf8_lossy(&bytes[..e.valid_up_to()])
                    ),
                ),
            }
        }
        self.fields(line, &fields);
    }

    /// Checks one record's fields (`None`: unreadable, already reported) and keeps the record
    /// when it has no problem; `line` is the CSV line, or the JSON record's index.
    pub(super) fn fields(&mut self, line: usize, fields: &[Option<&str>; 10]) {
        let before = self.problems.problems.len();
        let parsed = self.parse(line, fields);
        if let Some(key) = &parsed.key {
            self.agree_on_addressee(
                line,
                key,
                &parsed.addressee_name,
                &parsed.addressee_language,
                &parsed.categories,
            );
        }
        if let Some(address) = &parsed.address {
            self.agree_on_address(line, parsed.key.as_ref(), address, parsed.topics.as_ref());
        }
        if self.problems.problems.len() != before {
            return;
        }
        if let Some(record) = self.record(line, fields, parsed) {
            self.records.push(record);
        }
    }

    /// The records kept, or every problem found.
    pub(super) fn into_result(self) -> Result<Vec<DirectoryRecord>, FileProblems> {
        self.problems.into_result(self.records)
    }

    /// Parses each field, recording its problems.
    fn parse(&mut self, line: usize, fields: &[Option<&str>; 10]) -> Parsed {
        let known = self.known;
        Parsed {
            key: self.field(line, fields, ADDRESSEE, addressee_key),
            addressee_name: self.field(line, fields, ADDRESSEE_NAME, addressee_name),
            addressee_language: self.field(line, fields, ADDRESSEE_LANGUAGE, optional_language),
            categories: self.field(line, fields, CATEGORIES, |s| {
                parse_categories(s, &known.custom_categories)
            }),
            address: self.field(line, fields, ADDRESS, parse_address),
            name: self.field(line, fields, NAME, |s| text(s, true)),
            language: self.field(line, fields, LANGUAGE, optional_language),
            role: self.field(line, fields, ROLE, |s| text(s, false)),
            status: self.field(line, fields, STATUS, status),
            topics: self.field(line, fields, TOPICS, |s| parse_topics(s, &known.topics)),
        }
    }

    /// The record of a row whose every field was read.
    fn record(
        &self,
        line: usize,
        fields: &[Option<&str>; 10],
        parsed: Parsed,
    ) -> Option<DirectoryRecord> {
        Some(DirectoryRecord {
            addressee: parsed.key?,
            addressee_name: parsed.addressee_name?,
            addressee_language: parsed.addressee_language?,
            categories: parsed.categories?,
            address_written: fields[ADDRESS].unwrap_or_default().to_owned(),
            address: parsed.address?,
            name: parsed.name?,
            language: parsed.language?,
            role: parsed.role?,
            status: parsed.status?,
            topics: parsed.topics?,
            source: match self.place {
                Place::Csv => format!("{}:{line}", self.file),
                Place::Json => format!("{} records[{line}]", self.file),
            },
        })
    }

    /// Checks that a contact (addressee and address) is listed once, and that the rows of an
    /// address give the same topics.
    fn agree_on_address(
        &mut self,
        line: usize,
        key: Option<&AddresseeKey>,
        address: &RecipientAddress,
        topics: Option<&Vec<(TopicId, bool)>>,
    ) {
        if let Some(key) = key {
            let contact = (key.clone(), address.clone());
            if let Some(first) = self.contacts.get(&contact) {
                let first = *first;
                self.bad(
                    line,
                    ADDRESS,
                    format!(
                        "{address} is already listed for addressee '{key}' {}",
                        self.place.of(first)
                    ),
                );
                return;
            }
            self.contacts.insert(contact, line);
        }
        if let Some(topics) = topics {
            let first = self.topics.entry(address.clone()).or_default();
            if let Some((first, said)) = agree_slot(first, line, topics) {
                self.bad(
                    line,
                    TOPICS,
                    format!(
                        "{} differs from {} {}: every row of address {address} \
                         must give the same topics",
                        shown(&topics_text(topics)),
                        shown(&topics_text(&said)),
                        self.place.of(first),
                    ),
                );
            }
        }
    }

    /// Checks that this row says the same about its addressee as the first rows that did.
    fn agree_on_addressee(
        &mut self,
        line: usize,
        key: &AddresseeKey,
        name: &Option<Addressee>,
        language: &Option<Option<Language>>,
        categories: &Option<Vec<Category>>,
    ) {
        let said = self.addressees.entry(key.clone()).or_default();
        let mut differences = Vec::new();
        if let Some(name) = name {
            if let Some((first, old)) = agree_slot(&mut said.name, line, name) {
                differences.push((ADDRESSEE_NAME, first, name.to_string(), old.to_string()));
            }
        }
        if let Some(language) = language {
            if let Some((first, old)) = agree_slot(&mut said.language, line, language) {
                differences.push((
                    ADDRESSEE_LANGUAGE,
                    first,
                    language_text(*language),
                    language_text(old),
                ));
            }
        }
        if let Some(categories) = categories {
            if let Some((first, old)) = agree_slot(&mut said.categories, line, categories) {
                differences.push((
                    CATEGORIES,
                    first,
                    categories_text(categories),
                    categories_text(&old),
                ));
            }
        }
        for (i, first, new, old) in differences {
            self.bad(
                line,
                i,
                format!(
                    "{} differs from {} {}: every row of addressee '{key}' must \
                     give the same {}",
                    shown(&new),
                    shown(&old),
                    self.place.of(first),
                    COLUMNS[i]
                ),
            );
        }
    }

    /// Parses field `i` (when it is text), recording each problem at its line and column.
    fn field<T>(
        &mut self,
        line: usize,
        fields: &[Option<&str>; 10],
        i: usize,
        parse: impl FnOnce(&str) -> Result<T, Vec<String>>,
    ) -> Option<T> {
        match parse(fields[i]?) {
            Ok(value) => Some(value),
            Err(whys) => {
                for why in whys {
                    self.bad(line, i, why);
                }
                None
            }
        }
    }

    /// Records a problem of field `i`.
    fn bad(&mut self, line: usize, i: usize, why: impl Into<String>) {
        match self.place {
            Place::Csv => self.problems.push_at(line, i + 1, COLUMNS[i], why),
            Place::Json => self
                .problems
                .push(None, format!("records[{line}].{}", COLUMNS[i]), why),
        }
    }
}

/// Keeps the first value given (and its line), or returns it when `value` differs.
fn agree_slot<T: PartialEq + Clone>(
    slot: &mut FirstSaid<T>,
    line: usize,
    value: &T,
) -> FirstSaid<T> {
    match slot {
        Some((first, old)) if old != value => Some((*first, old.clone())),
        Some(_) => None,
        None => {
            *slot = Some((line, value.clone()));
            None
        }
    }
}

/// A value as a message quotes it, `(empty)` when it is.
fn shown(text: &str) -> String {
    if text.is_empty() {
        "(empty)".into()
    } else {
        format!("'{text}'")
    }
}

/// A language as the file writes it.
fn language_text(language: Option<Language>) -> String {
    language.map(Language::code).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse_records;
    use crate::import::testing::{assert_reports, parse, report, HEADER};

    #[test]
    fn good_rows_become_records_with_their_source() {
        let csv = format!(
            "{HEADER}adm-freedonia,Administration of Freedonia,fr,permanent-missions;member-states,amina@Example.org,Amina Diallo,,Director,active,-workshops;tsb-events\n\
             globex,\"Globex, Inc.\",,sector-members,\"o'brien@example.net\",\"Brien, Liam \"\"Bill\"\"\",en,,unsubscribed,\n\
             adm-freedonia,Administration of Freedonia,fr,member-states;permanent-missions,info@Bücher.example, Paul Dupont ,fr,focal point,inactive,\n"
        );
        let records = parse(&csv).unwrap();
        assert_eq!(records.len(), 3);
        let amina = &records[0];
        assert_eq!(amina.addressee.as_str(), "adm-freedonia");
        assert_eq!(amina.addressee_name.name(), "Administration of Freedonia");
        assert_eq!(amina.addressee_language, Some(Language::Fr));
        assert_eq!(
            categories_text(&amina.categories),
            "member-states;permanent-missions",
            "sorted as in a 'To' list"
        );
        assert_eq!(amina.address.as_str(), "amina@example.org");
        assert_eq!(amina.address_written, "amina@Example.org");
        assert_eq!(amina.language, None);
        assert_eq!(amina.role, "Director");
        assert_eq!(amina.status, ContactStatus::Active);
        assert_eq!(topics_text(&amina.topics), "tsb-events;-workshops");
        assert_eq!(amina.source, "d.csv:2");
        assert_eq!(records[1].addressee_name.name(), "Globex, Inc.");
        assert_eq!(records[1].name, "Brien, Liam \"Bill\"");
        assert_eq!(records[1].status, ContactStatus::Unsubscribed);
        assert!(records[1].topics.is_empty());
        assert_eq!(records[2].address.as_str(), "info@xn--bcher-kva.example");
        assert_eq!(
            records[2].name, "Paul Dupont",
            "spaces around values are ignored"
        );
        assert_eq!(records[2].status, ContactStatus::Inactive);
        assert_eq!(records[2].source, "d.csv:4");
    }

    #[test]
    fn every_bad_field_is_named_with_its_line_and_column() {
        let csv = format!(
            "{HEADER}adm aldoria,,de,member-state;member-states;member-states,not-an-address,,EN,Head\u{7}of unit,gone,tsb-event;-workshops;workshops\n\
             ,X,,,,A,,,,\n"
        );
        assert_reports(
            csv,
            &[
                "d.csv:2:1: addressee: 'adm aldoria' is not an addressee key",
                "d.csv:2:2: addressee_name: is empty",
                "d.csv:2:3: addressee_language: 'de' is not one of the six languages",
                "d.csv:2:4: categories: unknown category 'member-state' (known: member-states,",
                "d.csv:2:4: categories: 'member-states' is listed twice",
                "d.csv:2:5: address: 'not-an-address' is not an e-mail address: it needs an '@'",
                "d.csv:2:6: name: is empty",
                "d.csv:2:7: language: 'EN' is not one of the six languages",
                "d.csv:2:8: role: 'Head\\u{7}of unit' holds a line break or another control character",
                "d.csv:2:9: status: 'gone' is not a status (active, inactive, unsubscribed)",
                "d.csv:2:10: topics: unknown topic 'tsb-event' (known: tsb-events, workshops)",
                "d.csv:2:10: topics: topic 'workshops' is listed twice",
                "d.csv:3:1: addressee: is empty",
                "d.csv:3:4: categories: is empty: name at least one category",
                "d.csv:3:5: address: is empty",
                "d.csv:3:9: status: is empty: write active, inactive or unsubscribed",
            ],
        );
    }

    #[test]
    fn rows_of_one_addressee_must_agree_and_a_contact_is_listed_once() {
        let csv = format!(
            "{HEADER}x,X Ltd,en,academia;associates,a@example.org,A,,,active,\n\
             x,X Limited,,associates;academia,b@example.org,B,,,active,\n\
             x,X Ltd,en,academia,c@example.org,C,,,active,\n\
             x,X Ltd,en,academia;associates,a@EXAMPLE.org,A,,,active,\n\
             y,Y,,academia,a@example.org,A,,,active,tsb-events\n"
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:3:2: addressee_name: 'X Limited' differs from 'X Ltd' on line 2: every row of addressee 'x' must give the same addressee_name",
                "d.csv:3:3: addressee_language: (empty) differs from 'en' on line 2: every row of addressee 'x' must give the same addressee_language",
                "d.csv:4:4: categories: 'academia' differs from 'associates;academia' on line 2: every row of addressee 'x' must give the same categories",
                "d.csv:5:5: address: a@example.org is already listed for addressee 'x' on line 2",
                "d.csv:6:10: topics: 'tsb-events' differs from (empty) on line 2: every row of address a@example.org must give the same topics",
            ]
        );
    }

    #[test]
    fn custom_categories_and_topics_must_exist() {
        let csv = format!(
            "{HEADER}a,A,,regional-offices,a@example.org,A,,,active,-tsb-events\n\
             b,B,,regional-office,b@example.org,B,,,active,\n"
        );
        assert_reports(
            &csv,
            &["d.csv:3:4: categories: unknown category 'regional-office'"],
        );
        let none = DirectoryIds::default();
        let got = parse_records("d.csv", csv.as_bytes(), &none)
            .unwrap_err()
            .to_string();
        assert!(
            got.contains(
                "d.csv:2:10: topics: unknown topic 'tsb-events' (the directory has no topics yet)"
            ),
            "{got}"
        );
    }
}
