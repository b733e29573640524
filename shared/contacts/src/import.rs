//! Reading directory CSV files (one row per contact with its addressee, the columns of
//! [`COLUMNS`]; format in `docs/FORMATS.md`): every row checked, every problem named by
//! `file:line:column`; a file with any problem is refused whole, and a good one is stored in one
//! transaction.

use circulars_core::domain::{
    Addressee, AddresseeKey, Category, DirectoryIds, Language, RecipientAddress, TopicId,
};
use circulars_core::input::FileProblems;
use circulars_store::{ContactStatus, DirectoryRecord, ImportReport, Store};
use email_address::EmailAddress;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The columns of a directory file, in order; the header names them exactly so.
pub const COLUMNS: [&str; 10] = [
    "addressee",
    "addressee_name",
    "addressee_language",
    "categories",
    "address",
    "name",
    "language",
    "role",
    "status",
    "topics",
];

/// The columns of the directory files before addressees had keys, recognised to say so.
const OLD_COLUMNS: [&str; 6] = [
    "address",
    "name",
    "language",
    "addressee",
    "categories",
    "status",
];

// The index of each column in `COLUMNS` (its number in errors is one more).
const ADDRESSEE: usize = 0;
const ADDRESSEE_NAME: usize = 1;
const ADDRESSEE_LANGUAGE: usize = 2;
const CATEGORIES: usize = 3;
const ADDRESS: usize = 4;
const NAME: usize = 5;
const LANGUAGE: usize = 6;
const ROLE: usize = 7;
const STATUS: usize = 8;
const TOPICS: usize = 9;

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {file}: {why}")]
    Read {
        /// The file.
        file: String,
        /// The system's reason.
        why: String,
    },
    /// The file has problems; nothing of it was stored.
    #[error(transparent)]
    Invalid(#[from] FileProblems),
    /// The database refused the import; nothing of it was stored.
    #[error(transparent)]
    Store(#[from] circulars_store::StoreError),
}

/// Reads and checks a directory file against the directory's categories and topics, then
/// stores all its records at once (or, in a dry run, reports what storing them would change);
/// `actor` names who imports, for the audit trail.
pub async fn import_file(
    store: &Store,
    path: &Path,
    actor: &str,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let bytes = tokio::fs::read(path).await.map_err(|e| ImportError::Read {
        file: file.clone(),
        why: e.to_string(),
    })?;
    let known = store.directory_ids().await?;
    let records = parse_records(&file, &bytes, &known)?;
    Ok(store.import_directory(&records, actor, dry_run).await?)
}

/// Parses a directory file's bytes, with categories and topics checked against `known`;
/// `file` names it in errors, which list every problem as `file:line:column: column-name: why`.
pub fn parse_records(
    file: &str,
    bytes: &[u8],
    known: &DirectoryIds,
) -> Result<Vec<DirectoryRecord>, FileProblems> {
    let mut problems = FileProblems::new(file);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        problems.push_at(
            1,
            1,
            "file",
            "is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 \
             (\"CSV UTF-8\" in Excel)",
        );
        return problems.into_result(Vec::new());
    }
    // Excel and Notepad start UTF-8 files with a byte order mark: it is not part of the header.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines = Lines::of(bytes);

    let quoting = check_quoting(bytes, &lines);
    let mut misquoted = HashSet::new();
    for q in quoting.problems {
        let field = COLUMNS.get(q.column - 1).copied().unwrap_or("row");
        problems.push_at(q.line, q.column, field, q.message);
        misquoted.insert((q.row_line, q.column));
    }
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    for result in reader.byte_records() {
        match result {
            Ok(record) => {
                let at = record.position().map_or(0, |p| p.byte() as usize);
                rows.push((lines.record_line(bytes, at), record));
            }
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte() as usize);
                problems.push_at(lines.record_line(bytes, at), 1, "row", e.to_string());
            }
        }
    }
    if quoting.unterminated {
        // The open quote swallowed the rest of the file into the last record; its problem
        // is reported, and its fields would only add noise.
        rows.pop();
    }
    // Spreadsheets export rows left blank as commas only.
    rows.retain(|(_, record)| !record.iter().all(|f| f.trim_ascii().is_empty()));

    let mut rows = rows.into_iter();
    let Some((header_line, header)) = rows.next() else {
        if problems.problems.is_empty() {
            problems.push_at(
                1,
                1,
                "file",
                format!("holds no rows, not even the header {}", COLUMNS.join(",")),
            );
        }
        return problems.into_result(Vec::new());
    };
    let names: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    if names != COLUMNS {
        let column = names
            .iter()
            .zip(COLUMNS)
            .position(|(name, expected)| name != expected)
            .unwrap_or(names.len().min(COLUMNS.len()))
            + 1;
        let mut message = format!(
            "expected the columns {}, found {}",
            COLUMNS.join(","),
            names.join(",")
        );
        if names == OLD_COLUMNS {
            message.push_str(
                " (the former layout, without addressee keys: see docs/FORMATS.md for this one)",
            );
        }
        problems.push_at(header_line, column, "header", message);
        return problems.into_result(Vec::new());
    }

    let mut check = Checker::new(file, Place::Csv, known, misquoted, problems);
    let mut data_rows = 0;
    for (line, record) in rows {
        data_rows += 1;
        check.row(line, &record);
    }
    if data_rows == 0 && check.problems.problems.is_empty() {
        check
            .problems
            .push_at(header_line + 1, 1, "file", "holds no rows after the header");
    }
    check.problems.into_result(check.records)
}

/// One directory record as the API takes it: the columns of a file by name, with the
/// categories as a list and the topic choices as an object (`{"tsb-events": false}`); the
/// languages and the role may be left out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRecord {
    /// The addressee's stable key.
    pub addressee: String,
    /// The addressee's name.
    pub addressee_name: String,
    /// The addressee's language.
    #[serde(default)]
    pub addressee_language: Option<String>,
    /// The addressee's categories.
    pub categories: Vec<String>,
    /// The contact's address.
    pub address: String,
    /// The contact's name.
    pub name: String,
    /// The contact's language.
    #[serde(default)]
    pub language: Option<String>,
    /// The contact's role.
    #[serde(default)]
    pub role: String,
    /// `active`, `inactive` or `unsubscribed`.
    pub status: String,
    /// Topic choices: true opts in, false opts out.
    #[serde(default)]
    pub topics: BTreeMap<String, bool>,
}

/// Checks records given as JSON (an API request's `records`) exactly as the rows of a file,
/// against `known`; each problem is named `records[i].field`, and `origin` (the request, e.g.
/// `api (by ana)`) names the records' source.
pub fn check_json_records(
    origin: &str,
    records: &[serde_json::Value],
    known: &DirectoryIds,
) -> Result<Vec<DirectoryRecord>, FileProblems> {
    let mut check = Checker::new(
        origin,
        Place::Json,
        known,
        HashSet::new(),
        FileProblems::new(origin),
    );
    if records.is_empty() {
        check
            .problems
            .push(None, "records", "is empty: give at least one record");
    }
    for (i, value) in records.iter().enumerate() {
        let record = match JsonRecord::deserialize(value) {
            Ok(record) => record,
            Err(e) => {
                check
                    .problems
                    .push(None, format!("records[{i}]"), e.to_string());
                continue;
            }
        };
        let categories = record.categories.join(";");
        let topics = record
            .topics
            .iter()
            .map(|(topic, on)| {
                if *on {
                    topic.clone()
                } else {
                    format!("-{topic}")
                }
            })
            .collect::<Vec<_>>()
            .join(";");
        let fields = [
            Some(record.addressee.trim()),
            Some(record.addressee_name.trim()),
            Some(
                record
                    .addressee_language
                    .as_deref()
                    .unwrap_or_default()
                    .trim(),
            ),
            Some(categories.as_str()),
            Some(record.address.trim()),
            Some(record.name.trim()),
            Some(record.language.as_deref().unwrap_or_default().trim()),
            Some(record.role.trim()),
            Some(record.status.trim()),
            Some(topics.as_str()),
        ];
        check.fields(i, &fields);
    }
    check.problems.into_result(check.records)
}

/// Sorts categories as a circular's "To" list orders them (the standard ones first).
pub(crate) fn sort_categories(categories: &mut [Category]) {
    categories.sort_by(|a, b| a.rank().cmp(&b.rank()).then_with(|| a.cmp(b)));
}

/// Where records come from, which decides how a place in them is named.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
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
struct Checker<'a> {
    file: &'a str,
    place: Place,
    known: &'a DirectoryIds,
    /// The fields with a quoting mistake, by row line and column: their text is not what the
    /// writer meant, so they are not checked further.
    misquoted: HashSet<(usize, usize)>,
    problems: FileProblems,
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

impl<'a> Checker<'a> {
    /// A checker of records from `file`, with the problems found before any record.
    fn new(
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

    fn row(&mut self, line: usize, record: &csv::ByteRecord) {
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
    fn fields(&mut self, line: usize, fields: &[Option<&str>; 10]) {
        let before = self.problems.problems.len();
        let known = self.known;
        let key = self.field(line, fields, ADDRESSEE, |s| {
            if s.is_empty() {
                return Err(vec!["is empty".into()]);
            }
            AddresseeKey::parse(s).map_err(one)
        });
        let addressee_name = self.field(line, fields, ADDRESSEE_NAME, |s| {
            text(s, true).and_then(|s| Addressee::parse(&s).map_err(one))
        });
        let addressee_language = self.field(line, fields, ADDRESSEE_LANGUAGE, optional_language);
        let categories = self.field(line, fields, CATEGORIES, |s| {
            parse_categories(s, &known.custom_categories)
        });
        let address = self.field(line, fields, ADDRESS, parse_address);
        let name = self.field(line, fields, NAME, |s| text(s, true));
        let language = self.field(line, fields, LANGUAGE, optional_language);
        let role = self.field(line, fields, ROLE, |s| text(s, false));
        let status = self.field(line, fields, STATUS, |s| {
            if s.is_empty() {
                Err(vec![
                    "is empty: write active, inactive or unsubscribed".into()
                ])
            } else {
                s.parse::<ContactStatus>().map_err(|e| vec![e])
            }
        });
        let topics = self.field(line, fields, TOPICS, |s| parse_topics(s, &known.topics));

        if let Some(key) = &key {
            self.agree_on_addressee(line, key, &addressee_name, &addressee_language, &categories);
        }
        if let Some(address) = &address {
            if let Some(key) = &key {
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
            if let Some(topics) = &topics {
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

        if self.problems.problems.len() != before {
            return;
        }
        if let (
            Some(addressee),
            Some(addressee_name),
            Some(addressee_language),
            Some(categories),
            Some(address),
            Some(name),
            Some(language),
            Some(role),
            Some(status),
            Some(topics),
        ) = (
            key,
            addressee_name,
            addressee_language,
            categories,
            address,
            name,
            language,
            role,
            status,
            topics,
        ) {
            self.records.push(DirectoryRecord {
                addressee,
                addressee_name,
                addressee_language,
                categories,
                address_written: fields[ADDRESS].unwrap_or_default().to_owned(),
                address,
                name,
                language,
                role,
                status,
                topics,
                source: match self.place {
                    Place::Csv => format!("{}:{line}", self.file),
                    Place::Json => format!("{} records[{line}]", self.file),
                },
            });
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

fn one(e: impl ToString) -> Vec<String> {
    vec![e.to_string()]
}

fn shown(text: &str) -> String {
    if text.is_empty() {
        "(empty)".into()
    } else {
        format!("'{text}'")
    }
}

fn language_text(language: Option<Language>) -> String {
    language.map(Language::code).unwrap_or_default().to_owned()
}

/// Categories as the file writes them.
pub(crate) fn categories_text(categories: &[Category]) -> String {
    categories
        .iter()
        .map(Category::id)
        .collect::<Vec<_>>()
        .join(";")
}

/// Topic choices as the file writes them: `topic` opted in, `-topic` opted out.
pub(crate) fn topics_text(topics: &[(TopicId, bool)]) -> String {
    topics
        .iter()
        .map(|(t, subscribed)| format!("{}{t}", if *subscribed { "" } else { "-" }))
        .collect::<Vec<_>>()
        .join(";")
}

fn optional_language(s: &str) -> Result<Option<Language>, Vec<String>> {
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse().map(Some).map_err(one)
    }
}

/// Free text: a name or a role, on one line.
fn text(s: &str, required: bool) -> Result<String, Vec<String>> {
    if required && s.is_empty() {
        Err(one("is empty"))
    } else if s.chars().any(char::is_control) {
        Err(one(format!(
            "'{}' holds a line break or another control character",
            s.escape_debug()
        )))
    } else {
        Ok(s.to_owned())
    }
}

/// One or more known categories, separated by `;`, each once; sorted as in a "To" list.
fn parse_categories(s: &str, custom: &[Category]) -> Result<Vec<Category>, Vec<String>> {
    let mut categories = Vec::new();
    let mut whys = Vec::new();
    for id in s.split(';').map(str::trim).filter(|id| !id.is_empty()) {
        match Category::known(id, custom) {
            Ok(c) if categories.contains(&c) => whys.push(format!("'{c}' is listed twice")),
            Ok(c) => categories.push(c),
            Err(e) => whys.push(e.to_string()),
        }
    }
    if categories.is_empty() && whys.is_empty() {
        whys.push("is empty: name at least one category, separated by ';'".into());
    }
    if !whys.is_empty() {
        return Err(whys);
    }
    sort_categories(&mut categories);
    Ok(categories)
}

/// Topic choices separated by `;`: `topic` opts in, `-topic` opts out; each existing topic at
/// most once; sorted by topic.
fn parse_topics(s: &str, known: &[TopicId]) -> Result<Vec<(TopicId, bool)>, Vec<String>> {
    let mut topics: Vec<(TopicId, bool)> = Vec::new();
    let mut whys = Vec::new();
    for item in s.split(';').map(str::trim).filter(|t| !t.is_empty()) {
        let (id, subscribed) = match item.strip_prefix('-') {
            Some(id) => (id.trim(), false),
            None => (item, true),
        };
        match TopicId::parse(id) {
            Err(e) => whys.push(e.to_string()),
            Ok(t) if !known.contains(&t) => whys.push(if known.is_empty() {
                format!("unknown topic '{t}' (the directory has no topics yet)")
            } else {
                format!(
                    "unknown topic '{t}' (known: {})",
                    known
                        .iter()
                        .map(TopicId::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            Ok(t) if topics.iter().any(|(seen, _)| *seen == t) => {
                whys.push(format!("topic '{t}' is listed twice"))
            }
            Ok(t) => topics.push((t, subscribed)),
        }
    }
    if !whys.is_empty() {
        return Err(whys);
    }
    topics.sort();
    Ok(topics)
}

/// An address both RFC 5321/5322 (with RFC 6531's internationalised addresses) and the
/// delivery key accept, normalised.
fn parse_address(s: &str) -> Result<RecipientAddress, Vec<String>> {
    if s.is_empty() {
        return Err(one("is empty"));
    }
    let options = email_address::Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    if let Err(e) = EmailAddress::parse_with_options(s, options) {
        return Err(one(format!(
            "'{s}' is not an e-mail address: {}",
            address_reason(e)
        )));
    }
    RecipientAddress::parse(s).map_err(one)
}

fn address_reason(e: email_address::Error) -> &'static str {
    use email_address::Error as E;
    match e {
        E::InvalidCharacter => "it holds a character not allowed where it is",
        E::MissingSeparator => "it needs an '@'",
        E::LocalPartEmpty => "the part before '@' is empty",
        E::LocalPartTooLong => "the part before '@' is longer than 64 octets",
        E::DomainEmpty => "the domain is empty",
        E::DomainTooLong => "the domain is longer than 254 octets",
        E::SubDomainEmpty => "the domain has an empty label (two dots in a row?)",
        E::SubDomainTooLong => "a label of the domain is longer than 63 octets",
        E::DomainTooFew => "the domain needs at least two labels (name.tld)",
        E::DomainInvalidSeparator => "a dot is misplaced in the domain",
        E::UnbalancedQuotes => "the quotes around the part before '@' are unbalanced",
        E::InvalidComment => "it holds a malformed comment",
        E::InvalidIPAddress | E::UnsupportedDomainLiteral => {
            "an IP address in brackets is not accepted: give a domain name"
        }
        E::UnsupportedDisplayName | E::MissingDisplayName | E::MissingEndBracket => {
            "write the bare address, without a name or '<…>'"
        }
    }
}

/// Where each line starts, to turn byte offsets into 1-based line numbers; a line ends at
/// `\n`, `\r\n` or a lone `\r`.
struct Lines(Vec<usize>);

impl Lines {
    fn of(bytes: &[u8]) -> Lines {
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines(starts)
    }

    /// The line of byte `at`.
    fn line(&self, at: usize) -> usize {
        self.0.partition_point(|&start| start <= at)
    }

    /// The line of the record the csv crate places at byte `at`: it places a record after the
    /// `\r` ending the one before, so `\r\n` files would count one line short without skipping
    /// the line ends (and blank lines) first.
    fn record_line(&self, bytes: &[u8], at: usize) -> usize {
        let start = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|b| !matches!(b, b'\r' | b'\n')))
            .map_or(at, |skip| at + skip);
        self.line(start)
    }
}

/// A quoting mistake: the csv crate reads past them without a word (keeping stray quotes as
/// text, and letting an unclosed quote swallow the rest of the file).
struct QuoteProblem {
    /// The line of the quote at fault.
    line: usize,
    /// The line its row starts on.
    row_line: usize,
    column: usize,
    message: &'static str,
}

struct Quoting {
    problems: Vec<QuoteProblem>,
    /// A quoted field runs to the end of the file (it is in the last record the csv crate reads).
    unterminated: bool,
}

/// Follows the quotes of RFC 4180 over the raw bytes, as the csv crate reads them, to find
/// what it reads past.
fn check_quoting(bytes: &[u8], lines: &Lines) -> Quoting {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        /// In a field that did not start with a quote; `blank` while only spaces were seen.
        Unquoted {
            blank: bool,
            reported: bool,
        },
        /// In a quoted field opened at byte `opened`.
        Quoted {
            opened: usize,
        },
        /// After a quote in a quoted field: its end, or the first of a doubled quote.
        QuoteInQuoted {
            opened: usize,
        },
        /// After the closing quote and spaces.
        Closed,
    }
    let space = |b: u8| b == b' ' || b == b'\t';
    let mut problems = Vec::new();
    let mut column = 1;
    let mut row_line = 1;
    let mut state = State::FieldStart;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(state, State::FieldStart) && column == 1 && b != b'\n' && b != b'\r' {
            row_line = lines.line(i);
        }
        let mut report = |message| {
            problems.push(QuoteProblem {
                line: lines.line(i),
                row_line,
                column,
                message,
            })
        };
        state = match state {
            State::Quoted { opened } if b == b'"' => State::QuoteInQuoted { opened },
            State::Quoted { opened } => State::Quoted { opened },
            State::QuoteInQuoted { opened } if b == b'"' => State::Quoted { opened },
            _ if b == b',' => {
                column += 1;
                State::FieldStart
            }
            _ if b == b'\n' || b == b'\r' => {
                column = 1;
                State::FieldStart
            }
            State::FieldStart if b == b'"' => State::Quoted { opened: i },
            State::FieldStart => State::Unquoted {
                blank: space(b),
                reported: false,
            },
            State::Unquoted { blank, reported } if b == b'"' => {
                if !reported {
                    report(if blank {
                        "a '\"' after a space: a quoted field starts with '\"' right after \
                         the comma"
                    } else {
                        "a '\"' inside a field that does not start with one: quote the whole \
                         field and double each '\"' inside it (\"Jean \"\"JJ\"\" Dupont\")"
                    });
                }
                State::Unquoted {
                    blank: false,
                    reported: true,
                }
            }
            State::Unquoted { blank, reported } => State::Unquoted {
                blank: blank && space(b),
                reported,
            },
            State::QuoteInQuoted { .. } | State::Closed if space(b) => State::Closed,
            State::QuoteInQuoted { .. } | State::Closed => {
                report(
                    "text after the closing '\"' of a quoted field: a '\"' inside a quoted \
                     field is written twice (\"\")",
                );
                State::Unquoted {
                    blank: false,
                    reported: true,
                }
            }
        };
    }
    let unterminated = if let State::Quoted { opened } = state {
        problems.push(QuoteProblem {
            line: lines.line(opened),
            row_line,
            column,
            message: "the quoted field opened on this line is never closed: it runs to the \
                      end of the file; add the closing '\"'",
        });
        true
    } else {
        false
    };
    Quoting {
        problems,
        unterminated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics\n";

    fn known() -> DirectoryIds {
        DirectoryIds {
            custom_categories: vec![Category::parse("regional-offices").unwrap()],
            topics: vec![
                TopicId::parse("tsb-events").unwrap(),
                TopicId::parse("workshops").unwrap(),
            ],
        }
    }

    fn parse(csv: &str) -> Result<Vec<DirectoryRecord>, FileProblems> {
        parse_records("d.csv", csv.as_bytes(), &known())
    }

    /// The report's problem lines, without the leading spaces.
    fn report(csv: impl AsRef<[u8]>) -> Vec<String> {
        parse_records("d.csv", csv.as_ref(), &known())
            .unwrap_err()
            .to_string()
            .lines()
            .skip(1)
            .map(|l| l.trim().to_owned())
            .collect()
    }

    fn assert_reports(csv: impl AsRef<[u8]>, expected: &[&str]) {
        let got = report(csv);
        for e in expected {
            assert!(
                got.iter().any(|g| g.starts_with(e)),
                "missing {e:?} in:\n{}",
                got.join("\n")
            );
        }
    }

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
    fn a_wrong_column_count_is_refused_where_the_row_ends() {
        let csv = format!(
            "{HEADER}a,A,,academia,a@example.org,A,,,active\n\
             b,B,,academia,b@example.org,B,,,active,,extra\n\
             c,C,,academia,c@example.org,C,,,active,\n"
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:10: row: has 9 fields, expected 10 (addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics)",
                "d.csv:3:11: row: has 11 fields, expected 10 (addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics)",
            ]
        );
    }

    #[test]
    fn a_wrong_header_is_refused_at_its_first_wrong_column() {
        assert_eq!(
            report("addressee,addressee_name,language\nx\n"),
            ["d.csv:1:3: header: expected the columns addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics, found addressee,addressee_name,language"]
        );
        let old = report(
            "address,name,language,addressee,categories,status\n\
             a@example.org,A,en,X,academia,active\n",
        );
        assert_eq!(old.len(), 1);
        assert!(old[0].starts_with("d.csv:1:1: header:"), "{old:?}");
        assert!(
            old[0].ends_with(
                "(the former layout, without addressee keys: see docs/FORMATS.md for this one)"
            ),
            "{old:?}"
        );
    }

    #[test]
    fn an_empty_file_or_a_header_alone_holds_no_rows() {
        assert_eq!(
            report(""),
            ["d.csv:1:1: file: holds no rows, not even the header addressee,addressee_name,addressee_language,categories,address,name,language,role,status,topics"]
        );
        assert_eq!(report("\n\n"), report(""));
        assert_eq!(
            report(HEADER),
            ["d.csv:2:1: file: holds no rows after the header"]
        );
        assert_eq!(
            report(format!("{HEADER},,,,,,,,,\n")),
            ["d.csv:2:1: file: holds no rows after the header"],
            "rows of commas only are blank"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_utf16_is_named() {
        let csv = format!("\u{feff}{HEADER}a,A,,academia,a@example.org,A,,,active,\n");
        assert_eq!(parse(&csv).unwrap().len(), 1);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(HEADER.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            report(utf16),
            ["d.csv:1:1: file: is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8 (\"CSV UTF-8\" in Excel)"]
        );
    }

    #[test]
    fn invalid_utf8_is_named_by_line_and_column() {
        let mut csv = HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"a,A,,academia,a@example.org,Jos\xE9 Mart\xEDnez,,,active,\n");
        csv.extend_from_slice(b"b,B,,academia,b@example.org,B,,,active,\n");
        assert_eq!(
            report(csv),
            ["d.csv:2:6: name: is not UTF-8 (byte 0xE9 after 'Jos'): save the file as UTF-8 (\"CSV UTF-8\" in Excel)"]
        );
    }

    #[test]
    fn a_quote_left_open_is_named_where_it_opens_not_swallowed() {
        let csv = format!(
            "{HEADER}a,A,,academia,a@example.org,A,,,active,\n\
             b,\"B, Ltd,,academia,b@example.org,B,,,active,\n\
             c,C,,academia,c@example.org,C,,,active,\n"
        );
        assert_eq!(
            report(csv),
            ["d.csv:3:2: addressee_name: the quoted field opened on this line is never closed: it runs to the end of the file; add the closing '\"'"]
        );
        // The same in the last field of the last row, with Windows line ends.
        let csv = format!(
            "{}a,A,,academia,a@example.org,A,,,active,\"tsb-events\r\n",
            HEADER.replace('\n', "\r\n")
        );
        assert_eq!(
            report(csv),
            ["d.csv:2:10: topics: the quoted field opened on this line is never closed: it runs to the end of the file; add the closing '\"'"]
        );
    }

    #[test]
    fn stray_quotes_are_refused() {
        let csv = format!(
            "{HEADER}a,Jean \"JJ\" Dupont SA,,academia,a@example.org,A,,,active,\n\
             b,B,,academia,b@example.org,\"Brien\" Liam,,,active,\n\
             c,C,,academia,c@example.org,C,,,active, \"tsb-events\"\n\
             d,\"D, Ltd\"  ,,academia,d@example.org,D,,,active,\n"
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:2: addressee_name: a '\"' inside a field that does not start with one: quote the whole field and double each '\"' inside it (\"Jean \"\"JJ\"\" Dupont\")",
                "d.csv:3:6: name: text after the closing '\"' of a quoted field: a '\"' inside a quoted field is written twice (\"\")",
                "d.csv:4:10: topics: a '\"' after a space: a quoted field starts with '\"' right after the comma",
            ],
            "spaces after a closing quote are fine (row 5)"
        );
    }

    #[test]
    fn lines_are_counted_right_with_windows_line_ends_and_quoted_line_breaks() {
        let csv = format!(
            "{}a,\"A\r\nB\",,academia,a@example.org,A,,,active,\r\n\r\nb,B,,academia,b@example,B,,,active,\r\n",
            HEADER.replace('\n', "\r\n")
        );
        assert_eq!(
            report(csv),
            [
                "d.csv:2:2: addressee_name: 'A\\r\\nB' holds a line break or another control character",
                "d.csv:5:5: address: 'b@example' is not an e-mail address: the domain needs at least two labels (name.tld)",
            ]
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
    fn internationalised_domains_are_accepted_and_bad_addresses_explained() {
        let csv = format!(
            "{HEADER}a,A,,academia,info@例子.广告,A,,,active,\n\
             b,B,,academia,Li Wei <li@example.org>,B,,,active,\n\
             c,C,,academia,li@[192.0.2.1],C,,,active,\n\
             d,D,,academia,li..wei@example.org,D,,,active,\n"
        );
        assert_reports(
            csv,
            &[
                "d.csv:3:5: address: 'Li Wei <li@example.org>' is not an e-mail address: write the bare address",
                "d.csv:4:5: address: 'li@[192.0.2.1]' is not an e-mail address: an IP address in brackets",
                "d.csv:5:5: address: 'li..wei@example.org' is not an e-mail address",
            ],
        );
        let good = format!("{HEADER}a,A,,academia,info@例子.广告,A,,,active,\n");
        assert_eq!(
            parse(&good).unwrap()[0].address.as_str(),
            "info@xn--fsqu00a.xn--4rr70v"
        );
    }

    #[test]
    fn internationalised_local_parts_pass_the_rfc_6531_check() {
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        for address in ["用户@例子.广告", "josé@exämple.org"] {
            assert!(
                EmailAddress::parse_with_options(address, options).is_ok(),
                "{address}"
            );
        }
    }

    #[test]
    fn the_samples_are_valid_directory_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/directory");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                let bytes = std::fs::read(&path).unwrap();
                let records = parse_records(&path.display().to_string(), &bytes, &known())
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(!records.is_empty(), "{}", path.display());
                files += 1;
            }
        }
        assert!(files > 0, "no samples in {}", dir.display());
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

    fn json(records: serde_json::Value) -> Result<Vec<DirectoryRecord>, FileProblems> {
        let records = records.as_array().cloned().unwrap_or_default();
        check_json_records("api (by ana)", &records, &known())
    }

    #[test]
    fn json_records_are_read_like_the_rows_of_a_file() {
        let records = json(serde_json::json!([
            {"addressee": "adm-x", "addressee_name": "Administration of X", "categories": ["member-states"],
             "address": "Ana@Example.ORG", "name": "Ana", "status": "active", "topics": {"tsb-events": false, "workshops": true}},
            {"addressee": "adm-x", "addressee_name": "Administration of X", "categories": ["member-states"],
             "address": "ben@example.org", "name": "Ben", "language": "fr", "role": "Director", "status": "inactive"}
        ]))
        .unwrap();
        let csv = parse(&format!(
            "{HEADER}adm-x,Administration of X,,member-states,Ana@Example.ORG,Ana,,,active,-tsb-events;workshops\n\
             adm-x,Administration of X,,member-states,ben@example.org,Ben,fr,Director,inactive,\n"
        ))
        .unwrap();
        assert_eq!(records.len(), 2);
        for (from_json, from_csv) in records.iter().zip(&csv) {
            let mut expected = from_csv.clone();
            expected.source = from_json.source.clone();
            assert_eq!(from_json, &expected);
        }
        assert_eq!(records[1].source, "api (by ana) records[1]");
    }

    #[test]
    fn each_bad_json_record_is_named_by_its_index_and_field() {
        let problems = json(serde_json::json!([
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["member-states"],
             "address": "ana@example.org", "name": "Ana", "status": "active", "colour": "red"},
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["member-states"],
             "address": "ana@example.org", "name": "Ana"},
            {"addressee": "adm-x", "addressee_name": "X", "categories": ["galaxies"],
             "address": "not an address", "name": "Ana", "language": "de", "status": "active"},
            {"addressee": "adm-y", "addressee_name": "Y", "categories": ["associates"],
             "address": "li@example.org", "name": "Li", "status": "active"},
            {"addressee": "adm-y", "addressee_name": "Y", "categories": ["associates"],
             "address": "li@example.org", "name": "Li", "status": "active"},
            "a text"
        ]))
        .unwrap_err()
        .to_string();
        let lines: Vec<&str> = problems.lines().skip(1).map(str::trim).collect();
        let expected = [
            "api (by ana): records[0]: unknown field `colour`",
            "api (by ana): records[1]: missing field `status`",
            "api (by ana): records[2].categories: unknown category 'galaxies'",
            "api (by ana): records[2].address: ",
            "api (by ana): records[2].language: ",
            "api (by ana): records[4].address: li@example.org is already listed for addressee 'adm-y' in records[3]",
            "api (by ana): records[5]: invalid type: string \"a text\"",
        ];
        assert_eq!(lines.len(), expected.len(), "{problems}");
        for (line, expected) in lines.iter().zip(expected) {
            assert!(
                line.starts_with(expected),
                "{line:?} does not start with {expected:?}"
            );
        }
        let empty = json(serde_json::json!([])).unwrap_err().to_string();
        assert!(empty.contains("records: is empty"), "{empty}");
    }
}
