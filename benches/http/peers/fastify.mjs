// The fastify + fastify-openapi-glue peer of the HTTP benchmark: serves the spec given as
// the first argument on 127.0.0.1:$PORT with the same fixed answers as the gateway.
// benches/http/run installs its packages into a temporary directory and starts it there.
import Fastify from "fastify";
import openapiGlue from "fastify-openapi-glue";

const item = (id) => ({ id, name: "widget", price: 9.99, status: "available", tags: ["blue", "small"] });

const serviceHandlers = {
  async health() {
    return { status: "ok" };
  },
  async getItem(req) {
    return item(req.params.id);
  },
  async listItems(req) {
    const count = Math.min(req.query.limit ?? 10, 3);
    return Array.from({ length: count }, (_, i) => item(i + 1));
  },
  async createItem(req, reply) {
    reply.code(201);
    return req.body;
  },
};

// The same keys as benches/http/gateway/tollgate.toml (no throttle here).
const keys = new Set(["bench-key", "limited-key"]);
const securityHandlers = {
  ApiKey(req) {
    const key = req.headers["x-api-key"];
    if (!key || !keys.has(key)) {
      throw new Error("missing or invalid API key (header X-API-Key)");
    }
  },
};

// ajv keeps unknown properties (its default strips them) so additionalProperties: false
// is enforced as the spec says.
const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
app.register(openapiGlue, { specification: process.argv[2], serviceHandlers, securityHandlers });
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
console.log(`fastify listening on http://127.0.0.1:${process.env.PORT}`);
