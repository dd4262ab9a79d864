//! Where the Redis store connects: the `store` URL parsed, and the (lazy) connection.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;

/// The scheme of a Redis Cluster store URL (`rediss+cluster://` for TLS).
const CLUSTER_SCHEME: &str = "redis+cluster://";

/// A parsed `store` URL: one Redis server, or the seed nodes of a Redis Cluster.
#[derive(Clone)]
pub(crate) enum Target {
    /// `redis://[user:password@]host:port[/db]` (or `rediss://`, `redis+unix://`).
    Single(redis::Client),
    /// `redis+cluster://[user:password@]host:port[,host:port…]`.
    Cluster(Box<ClusterClient>),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: name the kind only.
        f.write_str(match self {
            Self::Single(_) => "Target::Single",
            Self::Cluster(_) => "Target::Cluster",
        })
    }
}

/// Whether `store` names a Redis store (rather than `"memory"`).
pub(crate) fn is_redis_url(store: &str) -> bool {
    ["redis://", "rediss://", "redis+unix://", CLUSTER_SCHEME]
        .iter()
        .any(|scheme| store.starts_with(scheme))
}

impl Target {
    /// Parses a store URL. The error never repeats the URL (it may hold a password).
    pub(crate) fn parse(url: &str, timeout: Duration) -> Result<Self, String> {
        let url = url.trim();
        let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) else {
            return redis::Client::open(url)
                .map(Self::Single)
                .map_err(|err| format!("not a valid Redis URL ({:?})", err.kind()));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => (format!("{userinfo}@"), hosts),
            None => (String::new(), authority),
        };
        let nodes: Vec<String> = hosts
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(|host| format!("redis://{userinfo}{host}"))
            .collect();
        if nodes.is_empty() {
            return Err("a redis+cluster:// URL needs at least one host:port".to_owned());
        }
        ClusterClient::builder(nodes)
            .connection_timeout(timeout)
            .response_timeout(timeout)
            .retries(1)
            .build()
            .map(|client| Self::Cluster(Box::new(client)))
            .map_err(|err| format!("not a valid Redis Cluster URL ({:?})", err.kind()))
    }

    /// A connection that connects in the background and reconnects by itself after
    /// failures. Must be called inside a Tokio runtime; never waits for the network.
    pub(crate) fn connect(&self, timeout: Duration) -> Result<Connection, redis::RedisError> {
        match self {
            Self::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(2)
                    .set_min_delay(Duration::from_millis(10))
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_lazy_with_config(client.clone(), config)
                    .map(Connection::Single)
            }
            Self::Cluster(client) => {
                let config = ClusterConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout);
                Ok(Connection::Cluster(
                    client.get_pending_async_connection_with_config(config),
                ))
            }
        }
    }
}

/// A multiplexed connection (cheap to clone: clones share the socket(s)).
#[derive(Clone)]
pub(crate) enum Connection {
    /// One server, behind a connection manager that reconnects after I/O errors.
    Single(ConnectionManager),
    /// A cluster connection: one multiplexed connection per node, slots refreshed on
    /// `MOVED`.
    Cluster(ClusterConnection),
}
