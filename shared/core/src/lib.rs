//! `circulars-core`: the contracts every circulars crate agrees on, defined once. It depends on
//! no parser and no storage: what it holds travels between services or configures them.
//!
//! # Layout
//! - [`domain`]: circulars, languages, categories, recipients, deliveries and their states
//! - [`events`]: the NATS subjects, their versioned payloads and `Nats-Msg-Id` rules
//! - [`config`]: typed configuration (file, then environment), every bad key named
//! - [`nats`]: the JetStream topology declared at start-up, publishing (with the trace context),
//!   the dispatch-control bucket
//! - [`input`]: problems in input files, named by file, line and field
//! - [`telemetry`]: logging set-up, spans exported over OTLP, trace context in NATS headers
//! - [`tls`]: client TLS with the public roots and a private CA
//! - [`tokens`]: signed delivery tokens for VERP bounce addresses and unsubscribe links;
//!   Message-IDs; the keyring with rotation; pseudonyms of forgotten addresses

pub mod config;
pub mod domain;
pub mod events;
pub mod input;
pub mod nats;
pub mod telemetry;
pub mod tls;
pub mod tokens;

/// An error kept whole as the cause of another, whatever library it came from.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
