//! `circulars-shared`: what every circulars service agrees on, defined once.
//!
//! # Layout
//! - [`domain`]: circulars, languages, categories, recipients, deliveries and their states
//! - [`events`]: the NATS subjects, their versioned payloads and `Nats-Msg-Id` rules
//! - [`config`]: typed configuration (file, then environment), every bad key named
//! - [`store`]: the database behind one type (SQLite now; PostgreSQL joins there)
//! - [`nats`]: the JetStream topology declared at start-up, publishing, a local nats-server
//! - [`input`]: problems in input files, named by file, line and field
//! - [`telemetry`]: logging set-up
//! - [`tls`]: client TLS with the public roots and a private CA
//! - [`tokens`]: signed delivery tokens for VERP bounce addresses and unsubscribe links
//! - [`service`]: what a service's `run` receives
//! - [`unsubscribe`]: unsubscribe tokens followed, by link or by mail

pub mod config;
pub mod domain;
pub mod events;
pub mod input;
pub mod nats;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod tokens;
pub mod unsubscribe;
