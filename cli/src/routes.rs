//! `tollgate routes`: the route table of a spec.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use tollgate_codegen::ir;

use crate::load_and_lower;

/// How `routes` prints the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoutesFormat {
    /// Aligned columns.
    Table,
    /// A JSON array, one object per operation.
    Json,
}

/// `tollgate routes`.
#[derive(Debug, Args)]
#[command(after_help = "\
SECURITY lists the alternatives a caller may satisfy, separated by `|`; schemes that must \
all be present are joined with `+` (`ApiKeyAuth | BearerAuth+ApiKeyAuth`). `public` means no \
security; `anonymous` is an explicitly empty alternative.
THROTTLE is the operation's x-tollgate-throttle, or the document's (marked `(document)`).
INTEGRATION is `handler` (the Api trait), or the x-amazon-apigateway-integration type and \
uri, which tollgate lists but does not act on.")]
pub struct RoutesArgs {
    /// The OpenAPI 3 document (YAML or JSON).
    pub spec: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RoutesFormat,
}

/// One row of the route table.
#[derive(Debug, Serialize)]
pub struct Route {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// `operationId`, if the spec gives one.
    pub operation_id: Option<String>,
    /// The security alternatives; empty = public.
    pub security: Vec<Vec<String>>,
    /// Requests per second and burst, if throttled.
    pub throttle: Option<Throttle>,
    /// `handler`, or what `x-amazon-apigateway-integration` says.
    pub integration: String,
}

/// A token bucket and where it was set.
#[derive(Debug, Serialize)]
pub struct Throttle {
    /// Requests per second.
    pub rate: f64,
    /// Burst capacity.
    pub burst: u32,
    /// `operation` or `document`.
    pub source: &'static str,
}

/// The route table of a lowered spec; `root` is the loaded document (for integrations).
pub fn routes(api: &ir::Api, root: &Value) -> Vec<Route> {
    api.operations
        .iter()
        .map(|op| {
            let throttle = match (op.throttle, api.throttle) {
                (Some(t), _) => Some((t, "operation")),
                (None, Some(t)) => Some((t, "document")),
                (None, None) => None,
            };
            let pointer = format!(
                "/paths/{}/{}/x-amazon-apigateway-integration",
                op.path.replace('~', "~0").replace('/', "~1"),
                op.method.to_ascii_lowercase()
            );
            let integration = match root.pointer(&pointer) {
                Some(integration) => {
                    let field = |k: &str| integration.get(k).and_then(Value::as_str);
                    [field("type"), field("httpMethod"), field("uri")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                None => "handler".to_owned(),
            };
            let op_pointer = pointer.trim_end_matches("/x-amazon-apigateway-integration");
            Route {
                method: op.method.clone(),
                path: op.path.clone(),
                operation_id: root
                    .pointer(&format!("{op_pointer}/operationId"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                security: op
                    .security
                    .iter()
                    .map(|alt| alt.iter().map(|(name, _)| name.clone()).collect())
                    .collect(),
                throttle: throttle.map(|(t, source)| Throttle {
                    rate: t.rate,
                    burst: t.burst,
                    source,
                }),
                integration,
            }
        })
        .collect()
}

impl Route {
    /// The SECURITY column.
    pub fn security_text(&self) -> String {
        if self.security.is_empty() {
            return "public".to_owned();
        }
        self.security
            .iter()
            .map(|alt| match alt.is_empty() {
                true => "anonymous".to_owned(),
                false => alt.join("+"),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// The THROTTLE column.
    pub fn throttle_text(&self) -> String {
        match &self.throttle {
            None => "-".to_owned(),
            Some(t) => {
                let base = format!("{}/s burst {}", t.rate, t.burst);
                match t.source {
                    "document" => format!("{base} (document)"),
                    _ => base,
                }
            }
        }
    }
}

/// The routes as an aligned table with a header row.
pub fn table(routes: &[Route]) -> String {
    let header = [
        "METHOD",
        "PATH",
        "OPERATION",
        "SECURITY",
        "THROTTLE",
        "INTEGRATION",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 6]> = std::iter::once(header)
        .chain(routes.iter().map(|r| {
            [
                r.method.clone(),
                r.path.clone(),
                r.operation_id.clone().unwrap_or_else(|| "-".to_owned()),
                r.security_text(),
                r.throttle_text(),
                r.integration.clone(),
            ]
        }))
        .collect();
    let mut widths = [0; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs `tollgate routes`.
pub fn run(args: &RoutesArgs) -> ExitCode {
    let (loaded, api) = match load_and_lower(&args.spec) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let routes = routes(&api, &loaded.root);
    let text = match args.format {
        RoutesFormat::Table => table(&routes),
        RoutesFormat::Json => serde_json::to_string_pretty(&routes).unwrap_or_default() + "\n",
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}
