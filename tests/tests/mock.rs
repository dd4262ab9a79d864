//! `Mock` answers every operation with a value that passes the generated validators.

use reqwest::StatusCode;
use tollgate::{Config, Gateway};
use tollgate_tests::petstore::{self, Api};

#[tokio::test]
async fn mock_answers_validate_against_the_spec() {
    let pet = match petstore::Mock
        .get_pet(
            petstore::GetPetRequest { pet_id: 1 },
            tollgate::Context::default(),
        )
        .await
    {
        petstore::GetPetResponse::Ok(pet) => pet,
        other => panic!("mock answered {other:?}"),
    };
    pet.validate().unwrap();
    assert!(pet.id >= 1, "minimum: 1 honoured");
    assert!(!pet.name.is_empty(), "minLength: 1 honoured");
}

#[tokio::test]
async fn mock_served_with_response_validation_answers_every_operation() {
    let config = Config::from_toml_str(
        "[development]\nvalidate_responses = true\n[[api_keys]]\nid = \"t\"\nkey = \"k\"\n",
    )
    .unwrap();
    let gateway = Gateway::from_config(config).unwrap();
    assert!(gateway.validate_responses());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(tollgate::serve_listener(
        petstore::router(petstore::Mock, gateway),
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let body = serde_json::json!({"name": "Rex"});
    let cases = [
        (client.get(format!("{base}/health")), StatusCode::OK),
        (client.get(format!("{base}/pets")), StatusCode::OK),
        (
            client.post(format!("{base}/pets")).json(&body),
            StatusCode::CREATED,
        ),
        (client.get(format!("{base}/pets/7")), StatusCode::OK),
        (
            client.put(format!("{base}/pets/7")).json(&body),
            StatusCode::OK,
        ),
        (
            client.delete(format!("{base}/pets/7")),
            StatusCode::NO_CONTENT,
        ),
    ];
    for (request, status) in cases {
        let response = request.header("x-api-key", "k").send().await.unwrap();
        let url = response.url().clone();
        assert_eq!(
            response.status(),
            status,
            "{url}: {}",
            response.text().await.unwrap()
        );
    }
}
