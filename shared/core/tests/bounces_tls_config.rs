//! `[bounces] tls_cert_file` and `tls_key_file`: both or neither, each readable, every
//! problem named by its key and where it was set.

use circulars_core::config::Config;

fn load(file: &str, env: &[(&str, &str)]) -> Result<Config, String> {
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::from_sources(Some(("c.toml", file)), env).map_err(|e| e.to_string())
}

#[test]
fn the_intake_tls_files_are_both_given_or_neither_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\n").unwrap();
    std::fs::write(&key, "-----BEGIN PRIVATE KEY-----\n").unwrap();

    let neither = load("[bounces]\n", &[]).unwrap();
    assert_eq!(neither.bounces.tls_cert_file, None);
    assert_eq!(neither.bounces.tls_key_file, None);
    let both = format!("[bounces]\ntls_cert_file = {cert:?}\ntls_key_file = {key:?}\n");
    let both = load(&both, &[]).unwrap();
    assert_eq!(both.bounces.tls_cert_file.as_deref(), Some(cert.as_path()));
    assert_eq!(both.bounces.tls_key_file.as_deref(), Some(key.as_path()));

    let only_cert = load(&format!("[bounces]\ntls_cert_file = {cert:?}\n"), &[]).unwrap_err();
    assert!(
        only_cert.contains("c.toml: bounces.tls_cert_file: set bounces.tls_key_file too"),
        "{only_cert}"
    );
    let key_var = key.display().to_string();
    let only_key = load("", &[("CIRCULARS__BOUNCES__TLS_KEY_FILE", &key_var)]).unwrap_err();
    assert!(
        only_key.contains(
            "environment CIRCULARS__BOUNCES__TLS_KEY_FILE: bounces.tls_key_file: set bounces.tls_cert_file too"
        ),
        "{only_key}"
    );

    let missing = dir.path().join("missing.pem");
    let unreadable = format!(
        "[bounces]\ntls_cert_file = {missing:?}\ntls_key_file = {:?}\n",
        dir.path()
    );
    let unreadable = load(&unreadable, &[]).unwrap_err();
    for expected in [
        format!(
            "c.toml: bounces.tls_cert_file: cannot read {}",
            missing.display()
        ),
        format!(
            "c.toml: bounces.tls_key_file: cannot read {}",
            dir.path().display()
        ),
    ] {
        assert!(
            unreadable.contains(&expected),
            "missing {expected:?} in:\n{unreadable}"
        );
    }
}
