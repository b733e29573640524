//! A cluster of nats-server children with JetStream, each node on its own free loopback client
//! and route ports with its own store, routed to the others: what a site runs on three
//! machines, on one. A node can be stopped (or killed, as a crash would) and started again on
//! the same ports and store.

use super::{
    find_binary, free_port, spawn_error, LocalNatsServer, LocalServerError, DEPLOY_CONFIG,
};
use std::path::{Path, PathBuf};

/// The cluster's name in each node's configuration.
const CLUSTER_NAME: &str = "circulars";

/// One node: its folder, client port and, while it runs, its process.
#[derive(Debug)]
struct Node {
    dir: PathBuf,
    port: u16,
    server: Option<LocalNatsServer>,
}

/// A running cluster of nats-server children (nodes `n1`, `n2`, …).
#[derive(Debug)]
pub struct LocalNatsCluster {
    nodes: Vec<Node>,
}

impl LocalNatsCluster {
    /// Starts `size` nodes under `dir` (`dir/n1`, …), each routed to every other, and returns
    /// once each accepts clients. JetStream elects its first leader a few seconds later:
    /// clients wait for it (see `Bus::connect`).
    pub fn start(dir: &Path, size: usize) -> Result<LocalNatsCluster, LocalServerError> {
        let binary = find_binary()?;
        let ports = |what: &str| {
            (0..size)
                .map(|_| free_port().map_err(spawn_error(Path::new(what))))
                .collect::<Result<Vec<u16>, _>>()
        };
        let (clients, routes) = (ports("a client port")?, ports("a route port")?);
        let route_urls: Vec<String> = routes
            .iter()
            .map(|port| format!("nats-route://127.0.0.1:{port}"))
            .collect();
        let mut nodes = Vec::with_capacity(size);
        for (i, (&port, &route)) in clients.iter().zip(&routes).enumerate() {
            let name = Self::node_name(i);
            let node_dir = dir.join(&name);
            std::fs::create_dir_all(&node_dir).map_err(spawn_error(&node_dir))?;
            let config = node_dir.join("nats-server.conf");
            std::fs::write(&config, node_config(&name, route, &route_urls))
                .map_err(spawn_error(&config))?;
            nodes.push(Node {
                dir: node_dir,
                port,
                server: None,
            });
        }
        // Each node waits for the others' routes, so all are spawned before any is awaited.
        let mut cluster = LocalNatsCluster { nodes };
        for i in 0..size {
            cluster.start_node_with(&binary, i)?;
        }
        Ok(cluster)
    }

    /// The client URLs of every node, comma-separated: a `[nats] url` for the whole cluster.
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("nats://127.0.0.1:{}", node.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Stops node `index` (0-based; SIGTERM, then SIGKILL after 5 s). Does nothing when it is
    /// stopped already.
    pub fn stop_node(&mut self, index: usize) {
        if let Some(server) = self.nodes.get_mut(index).and_then(|n| n.server.take()) {
            server.stop();
        }
    }

    /// Kills node `index` (0-based) with SIGKILL, as a crash of its machine would: its clients
    /// and the other nodes learn it only from the broken connections. Does nothing when it is
    /// stopped already; [`LocalNatsCluster::start_node`] brings it back with its store.
    pub fn kill_node(&mut self, index: usize) {
        if let Some(server) = self.nodes.get_mut(index).and_then(|n| n.server.take()) {
            server.kill();
        }
    }

    /// The client port of node `index` (0-based), as [`LocalNatsCluster::urls`] lists it.
    pub fn port(&self, index: usize) -> Option<u16> {
        self.nodes.get(index).map(|node| node.port)
    }

    /// The server name of node `index` (0-based): `n1`, `n2`, …, as JetStream reports a
    /// stream's leader and replicas.
    pub fn node_name(index: usize) -> String {
        format!("n{}", index + 1)
    }

    /// Starts node `index` again on its ports with its store, as an operator's restart would.
    pub fn start_node(&mut self, index: usize) -> Result<(), LocalServerError> {
        let binary = find_binary()?;
        self.start_node_with(&binary, index)
    }

    fn start_node_with(&mut self, binary: &Path, index: usize) -> Result<(), LocalServerError> {
        let Some(node) = self.nodes.get_mut(index) else {
            return Ok(());
        };
        if node.server.is_none() {
            let config = node.dir.join("nats-server.conf");
            node.server = Some(LocalNatsServer::spawn(
                binary, &config, &node.dir, node.port,
            )?);
        }
        Ok(())
    }
}

/// A node's configuration: the local one with the node's own name, and the cluster block.
fn node_config(name: &str, route_port: u16, routes: &[String]) -> String {
    let local: String = DEPLOY_CONFIG
        .lines()
        .map(|line| {
            if line.starts_with("server_name:") {
                format!("server_name: {name}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    format!(
        "{local}\ncluster {{\n  name: {CLUSTER_NAME}\n  listen: 127.0.0.1:{route_port}\n  routes: [\n    {}\n  ]\n}}\n",
        routes.join("\n    ")
    )
}
