//! The HTTP benchmark's gateway: the module generated from `fixtures/bench.yaml`, with
//! handlers answering fixed data (the same answers as `benches/http/baseline` and the
//! peers), so the benchmark measures what the gateway adds.

use tollgate::{Context, Gateway, Router};

/// The generated gateway module.
pub mod api {
    tollgate::include_gateway!("bench");
}

use api::types::{Health, Item, ItemStatus};
use api::*;

/// The handlers: fixed data every benchmark server answers with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixed;

fn item(id: i64) -> Item {
    Item {
        id,
        name: "widget".to_owned(),
        price: 9.99,
        status: ItemStatus::Available,
        tags: Some(vec!["blue".to_owned(), "small".to_owned()]),
        created: None,
    }
}

impl Api for Fixed {
    async fn health(&self, _: HealthRequest, _: Context) -> HealthResponse {
        HealthResponse::Ok(Health {
            status: "ok".to_owned(),
        })
    }

    async fn get_item(&self, request: GetItemRequest, _: Context) -> GetItemResponse {
        GetItemResponse::Ok(item(request.id))
    }

    async fn list_items(&self, request: ListItemsRequest, _: Context) -> ListItemsResponse {
        let count = request.limit.unwrap_or(10).clamp(0, 3);
        ListItemsResponse::Ok((1..=count).map(item).collect())
    }

    async fn create_item(&self, request: CreateItemRequest, _: Context) -> CreateItemResponse {
        CreateItemResponse::Created(request.body)
    }
}

/// The benchmark gateway's router, or the configuration's startup error.
pub fn try_app(gateway: Gateway) -> Result<Router, tollgate::Error> {
    api::try_router(Fixed, gateway)
}
