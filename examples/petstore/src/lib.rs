//! The pet store example: the gateway generated from `fixtures/petstore.yaml` (by
//! `build.rs`), implemented with an in-memory store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};

use tollgate::{Context, Gateway, Router};

/// The generated gateway module.
pub mod api {
    tollgate::include_gateway!("petstore");
}

use api::types::{Error, HealthOkBody, HealthOkBodyStatus, Pet, PetStatus};
use api::*;

/// An in-memory pet store.
#[derive(Debug)]
pub struct PetStore {
    pets: Mutex<BTreeMap<i64, Pet>>,
    next_id: AtomicI64,
}

impl Default for PetStore {
    fn default() -> Self {
        Self {
            pets: Mutex::new(BTreeMap::new()),
            next_id: AtomicI64::new(1),
        }
    }
}

impl PetStore {
    fn pets(&self) -> MutexGuard<'_, BTreeMap<i64, Pet>> {
        // A panic while holding the lock cannot leave a half-written map (every update is
        // one insert or remove), so a poisoned lock is safe to keep using.
        self.pets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn not_found(id: i64) -> Error {
    Error {
        code: 404,
        message: format!("no pet with id {id}"),
    }
}

fn pet_from(id: i64, new: api::types::NewPet) -> Pet {
    Pet {
        id,
        name: new.name,
        tag: new.tag,
        status: new.status.unwrap_or(PetStatus::Available),
        age: new.age,
        tags: new.tags,
        created_at: None,
    }
}

impl Api for PetStore {
    async fn health(&self, _: HealthRequest, _: Context) -> HealthResponse {
        HealthResponse::Ok(HealthOkBody {
            status: HealthOkBodyStatus::Ok,
        })
    }

    async fn list_pets(&self, request: ListPetsRequest, _: Context) -> ListPetsResponse {
        let limit = request.limit.unwrap_or(20).max(0) as usize;
        let wanted_tags = request.tags.unwrap_or_default();
        let pets = self
            .pets()
            .values()
            .filter(|p| request.status.is_none_or(|s| p.status == s))
            .filter(|p| {
                wanted_tags
                    .iter()
                    .all(|t| p.tags.as_ref().is_some_and(|tags| tags.contains(t)))
            })
            .take(limit)
            .cloned()
            .collect();
        ListPetsResponse::Ok(pets)
    }

    async fn create_pet(&self, request: CreatePetRequest, _: Context) -> CreatePetResponse {
        let mut pets = self.pets();
        if pets.values().any(|p| p.name == request.body.name) {
            return CreatePetResponse::Conflict(Error {
                code: 409,
                message: format!("a pet named {} exists", request.body.name),
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let pet = pet_from(id, request.body);
        pets.insert(id, pet.clone());
        CreatePetResponse::Created(pet)
    }

    async fn get_pet(&self, request: GetPetRequest, _: Context) -> GetPetResponse {
        match self.pets().get(&request.pet_id) {
            Some(pet) => GetPetResponse::Ok(pet.clone()),
            None => GetPetResponse::NotFound(not_found(request.pet_id)),
        }
    }

    async fn update_pet(&self, request: UpdatePetRequest, _: Context) -> UpdatePetResponse {
        let mut pets = self.pets();
        match pets.get_mut(&request.pet_id) {
            Some(pet) => {
                *pet = pet_from(request.pet_id, request.body);
                UpdatePetResponse::Ok(pet.clone())
            }
            None => UpdatePetResponse::NotFound(not_found(request.pet_id)),
        }
    }

    async fn delete_pet(&self, request: DeletePetRequest, _: Context) -> DeletePetResponse {
        match self.pets().remove(&request.pet_id) {
            Some(_) => DeletePetResponse::NoContent,
            None => DeletePetResponse::NotFound(not_found(request.pet_id)),
        }
    }
}

/// The example's router: the generated gateway over a fresh [`PetStore`].
pub fn app(gateway: Gateway) -> Router {
    api::router(PetStore::default(), gateway)
}

/// [`app`], or an error when `strict = true` and an operation needs a security scheme the
/// gateway cannot verify (what `main` uses, so a strict configuration refuses to start).
pub fn try_app(gateway: Gateway) -> Result<Router, tollgate::Error> {
    api::try_router(PetStore::default(), gateway)
}
