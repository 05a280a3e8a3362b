import Hummingbird
import LunetJSON

/// The `/_sandbox/` endpoints a test or an operator uses to steer the
/// sandbox. They are never faulted and never logged.
struct ControlRoutes {
    static let root = "/_sandbox"
    let control: SandboxControl

    static func owns(_ path: String) -> Bool {
        path == root || path.hasPrefix(root + "/")
    }

    func register(on router: Router<SandboxContext>) {
        let group = router.group(RouterPath(Self.root))
        let control = self.control

        group.get("health") { _, _ in
            SandboxJSON.response([
                "status": "ok",
                "prefixes": .array(control.prefixes.map(JSONValue.string)),
                "store": .string(control.storeKind),
                "faults": .string(control.faults.spec.description),
            ])
        }
        group.post("reset") { _, _ in
            await control.reset()
            return SandboxJSON.response(["reset": .array(control.prefixes.map(JSONValue.string))])
        }
        group.post("seed/:name") { _, context in
            let name = try context.parameters.require("name")
            do {
                let seeded = try await control.seed(name)
                return SandboxJSON.response(["seed": .string(name), "seeded": .array(seeded.map(JSONValue.string))])
            } catch let error as SandboxError {
                let status: HTTPResponse.Status = if case .unknownSeed = error { .notFound } else { .internalServerError }
                return SandboxJSON.error(error.description, status: status)
            }
        }
        group.get("faults") { _, _ in
            SandboxJSON.response(["spec": .string(control.faults.spec.description)])
        }
        group.put("faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let text = Self.specText(String(buffer: body))
            do {
                let spec = try FaultSpec(parsing: text)
                control.faults.replace(with: spec)
                return SandboxJSON.response(["spec": .string(spec.description)])
            } catch let error as FaultSpecError {
                return SandboxJSON.error(error.description, status: .badRequest)
            }
        }
        group.get("requests") { request, _ in
            let after = request.uri.queryParameters.get("after", as: Int.self) ?? 0
            let (entries, dropped) = control.log.entries(after: after)
            return SandboxJSON.response([
                "requests": .array(entries.map(\.json)),
                "dropped": .integer(Int64(dropped)),
            ])
        }
        group.delete("requests") { _, _ in
            control.log.clear()
            return Response(status: .noContent)
        }
    }

    /// The body is the spec itself, or `{"spec": "…"}` for clients that only send JSON.
    static func specText(_ body: String) -> String {
        if let spec = (try? JSONValue.parse(body))?["spec"]?.string { return spec }
        return body
    }
}
