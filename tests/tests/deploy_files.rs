//! The deployment files in `deploy/` checked offline, so that they cannot rot: the Kubernetes
//! overlays rendered by `kubectl kustomize` and validated by `kubernetes-validate --strict`; the
//! compose file against the compose-spec schema (`check-jsonschema`); every NATS configuration
//! by `nats-server -t`; the systemd units by `systemd-analyze verify` against the built binary;
//! the Dockerfile by `hadolint`; the proxy's Caddyfile by `caddy adapt`; the sites' `circulars.toml` files by the real loader. And what
//! the files promise: each service its own container or Deployment running `circulars serve
//! <service>`, probes on `/healthz` and `/readyz`, no Secret inlined.
//!
//! The PyPI checkers live in `$CIRCULARS_DEPLOY_TOOLS`, else `~/.cache/circulars/deploy-tools`,
//! where `deploy/install-deps` puts them; a missing one fails the test, naming that script.

use circulars_core::config::Config;
use circulars_tests::{circulars_binary, workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SERVICES: [&str; 6] = [
    "gateway",
    "directory",
    "composer",
    "dispatcher",
    "tracker",
    "intake",
];

fn deploy() -> PathBuf {
    workspace().join("deploy")
}

/// A checker from the deployment tools' virtual environment.
fn tool(name: &str) -> PathBuf {
    let dir = std::env::var_os("CIRCULARS_DEPLOY_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/circulars/deploy-tools"))
        })
        .expect("HOME or CIRCULARS_DEPLOY_TOOLS is set");
    let path = dir.join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run deploy/install-deps",
        path.display()
    );
    path
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// Fails unless `command` succeeded; returns its standard output.
fn succeed(command: &mut Command) -> String {
    let out = run(command);
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The YAML documents in `path` as JSON (PyYAML of the tools' environment reads them).
fn yaml_documents(path: &Path) -> Vec<Value> {
    let json = succeed(
        Command::new(tool("python"))
            .arg("-c")
            .arg(
                "import json, sys, yaml\n\
         with open(sys.argv[1]) as f:\n    \
             print(json.dumps([d for d in yaml.safe_load_all(f) if d is not None]))",
            )
            .arg(path),
    );
    match serde_json::from_str(&json) {
        Ok(Value::Array(docs)) => docs,
        other => panic!("{}: not a list of documents: {other:?}", path.display()),
    }
}

fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

#[test]
fn the_kubernetes_overlays_render_and_every_object_is_valid() {
    let overlays = deploy().join("kubernetes/overlays");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&overlays).expect("deploy/kubernetes/overlays") {
        let overlay = entry.expect("an overlay").path();
        names.push(
            overlay
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
        );
        let rendered = succeed(Command::new(tool("kubectl")).arg("kustomize").arg(&overlay));
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("rendered.yaml");
        std::fs::write(&file, &rendered).expect("the rendering written");
        let report = succeed(
            Command::new(tool("kubernetes-validate"))
                .args(["--strict", "--quiet"])
                .arg(&file),
        );
        assert!(report.trim().is_empty(), "{}: {report}", overlay.display());
        check_objects(&overlay, &yaml_documents(&file));
    }
    names.sort();
    assert_eq!(
        names,
        [Some("production".to_owned()), Some("staging".to_owned())],
        "the overlays this test expects"
    );
}

/// Each service a Deployment running `serve <service>` with its probes and requests, and a
/// PodDisruptionBudget; NetworkPolicies; no Secret inlined.
fn check_objects(overlay: &Path, objects: &[Value]) {
    let of_kind =
        |kind: &str| -> Vec<&Value> { objects.iter().filter(|o| o["kind"] == kind).collect() };
    assert!(
        of_kind("Secret").is_empty(),
        "{}: a Secret inlined",
        overlay.display()
    );
    assert!(
        !of_kind("NetworkPolicy").is_empty(),
        "{}: no NetworkPolicy",
        overlay.display()
    );
    for service in SERVICES {
        let name = format!("circulars-{service}");
        let deployment = of_kind("Deployment")
            .into_iter()
            .find(|d| d["metadata"]["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{}: no Deployment {name}", overlay.display()));
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["args"],
            serde_json::json!(["serve", service]),
            "{name}"
        );
        assert_eq!(
            container["readinessProbe"]["httpGet"]["path"], "/readyz",
            "{name}"
        );
        assert_eq!(
            container["livenessProbe"]["httpGet"]["path"], "/healthz",
            "{name}"
        );
        assert_eq!(container["ports"][0]["containerPort"], 8080, "{name}");
        assert!(
            container["resources"]["requests"]["cpu"].is_string(),
            "{name}"
        );
        let pod = &deployment["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        let budget = of_kind("PodDisruptionBudget").into_iter().any(|b| {
            b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == service
        });
        assert!(
            budget,
            "{}: no PodDisruptionBudget for {name}",
            overlay.display()
        );
    }
}

#[test]
fn the_nats_helm_values_and_the_postgresql_cluster_are_yaml_of_the_expected_shape() {
    let k8s = deploy().join("kubernetes");
    let values = yaml_documents(&k8s.join("nats/values.yaml"));
    let config = &values[0]["config"];
    assert_eq!(config["cluster"]["enabled"], true);
    assert_eq!(config["cluster"]["replicas"], 3, "a three-node cluster");
    assert_eq!(config["jetstream"]["enabled"], true);
    let cluster = yaml_documents(&k8s.join("postgres/cluster.yaml"));
    assert_eq!(cluster[0]["kind"], "Cluster");
    assert_eq!(
        cluster[0]["spec"]["bootstrap"]["initdb"]["database"],
        "circulars"
    );
}

#[test]
fn the_compose_file_follows_the_compose_spec_and_runs_each_service_apart() {
    let compose = deploy().join("compose.yaml");
    succeed(
        Command::new(tool("check-jsonschema"))
            .args(["--builtin-schema", "vendor.compose-spec"])
            .arg(&compose),
    );
    let file = &yaml_documents(&compose)[0];
    let services = file["services"].as_object().expect("services");
    for service in SERVICES {
        assert_eq!(
            services[service]["command"],
            serde_json::json!(["serve", service]),
            "{service}"
        );
    }
    let nats: Vec<_> = services.keys().filter(|k| k.starts_with("nats-")).collect();
    assert_eq!(nats.len(), 3, "a three-node NATS cluster: {nats:?}");
    // Every CIRCULARS__SECTION__KEY a service is given is a key the loader knows, with a value
    // it takes, on top of the example file a site starts from.
    let example = std::fs::read_to_string(deploy().join("circulars.example.toml")).unwrap();
    for service in SERVICES {
        let env: Vec<(String, String)> = services[service]["environment"]
            .as_object()
            .unwrap_or_else(|| panic!("{service} has an environment"))
            .iter()
            .filter(|(name, _)| name.starts_with("CIRCULARS__"))
            .map(|(name, value)| {
                (
                    name.clone(),
                    with_secrets(value.as_str().unwrap_or_default()),
                )
            })
            .collect();
        if let Err(e) = Config::from_sources(Some(("circulars.example.toml", &example)), env) {
            panic!("compose.yaml, {service}: {e}");
        }
    }
    assert!(services.contains_key("postgres") && services.contains_key("proxy"));
}

/// `value` with each `${VARIABLE…}` compose asks the operator for replaced by a 64-character
/// stand-in (long enough for a token key).
fn with_secrets(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        out.push_str(&"a".repeat(64));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// nats-server: `$NATS_SERVER`, else Debian's, else on `$PATH` (as the harness finds it).
fn nats_server() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join("nats-server"));
    std::env::var_os("NATS_SERVER")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/nats-server")])
        .chain(on_path)
        .find(|p| p.exists())
        .expect("nats-server is missing: run deploy/install-deps")
}

#[test]
fn every_nats_configuration_is_valid() {
    let server = nats_server();
    let mut files = files_in(&deploy().join("nats"), "conf");
    assert_eq!(files.len(), 3, "one configuration per cluster node");
    files.push(deploy().join("nats-server.conf"));
    for file in files {
        let out = run(Command::new(&server).arg("-c").arg(&file).arg("-t"));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && said.contains("is valid"),
            "{} ({}): {said}",
            file.display(),
            out.status
        );
    }
}

#[test]
fn the_systemd_units_verify_against_the_built_binary() {
    let binary = circulars_binary();
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_tree(&deploy().join("systemd"), dir.path(), binary);
    let mut units = vec![dir.path().join("circulars.target")];
    for service in SERVICES {
        let instance = dir.path().join(format!("circulars@{service}.service"));
        std::os::unix::fs::symlink("circulars@.service", &instance).expect("an instance link");
        units.push(instance);
    }
    let out = run(Command::new("systemd-analyze").arg("verify").args(&units));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // It exits 0 on some errors (an unknown key is "ignored"): any word from it is a failure.
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify ({}):\n{said}",
        out.status
    );
}

/// Copies the units, with the installed binary's path replaced by the built one's.
fn copy_tree(from: &Path, to: &Path, binary: &Path) {
    for entry in std::fs::read_dir(from).expect("deploy/systemd") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            std::fs::create_dir(&target).expect("a folder");
            copy_tree(&path, &target, binary);
        } else {
            let text = std::fs::read_to_string(&path).expect("a unit");
            let text = text.replace("/usr/bin/circulars ", &format!("{} ", binary.display()));
            std::fs::write(&target, text).expect("a unit copied");
        }
    }
}

#[test]
fn the_dockerfile_passes_hadolint_and_runs_circulars_as_a_user() {
    let dockerfile = deploy().join("Dockerfile");
    succeed(Command::new(tool("hadolint")).arg(&dockerfile));
    let text = std::fs::read_to_string(&dockerfile).expect("deploy/Dockerfile");
    let last_stage = text.rsplit("\nFROM ").next().expect("a stage");
    assert!(text.matches("\nFROM ").count() >= 2, "multi-stage");
    assert!(
        last_stage.contains("\nUSER 65532"),
        "a non-root user:\n{last_stage}"
    );
    assert!(!last_stage.contains("cargo"), "no build tools in the image");
    assert!(last_stage.contains("ENTRYPOINT [\"/usr/local/bin/circulars\"]"));
}

#[test]
fn the_proxys_caddyfile_adapts() {
    let caddyfile = deploy().join("caddy/Caddyfile");
    let out = run(Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(&caddyfile));
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && warnings.trim().is_empty(),
        "caddy adapt {} ({}): {warnings}",
        caddyfile.display(),
        out.status
    );
    let adapted: Value = serde_json::from_slice(&out.stdout).expect("caddy's JSON");
    assert!(
        adapted.to_string().contains("gateway:8080"),
        "the proxy passes to the gateway"
    );
}

#[test]
fn the_sites_configuration_files_load() {
    let k8s = deploy().join("kubernetes");
    for file in [
        k8s.join("base/circulars.toml"),
        k8s.join("overlays/staging/circulars.toml"),
    ] {
        let text = std::fs::read_to_string(&file).expect("a configuration file");
        let name = file.display().to_string();
        if let Err(e) = Config::from_sources(Some((&name, &text)), Vec::new()) {
            panic!("{e}");
        }
    }
}
