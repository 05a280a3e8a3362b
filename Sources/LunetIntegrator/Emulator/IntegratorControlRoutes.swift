import Hummingbird
import LunetJSON
import LunetSandbox

/// `/integrator/_control/…`: the sandbox's knobs, outside the API and
/// without authentication (like `/_sandbox/`).
///
///     POST   _control/tokens  {"expiresIn": 2}   → 201 {token, expiresAt} (null: never expires)
///     DELETE _control/tokens/{token}            → 204 (revoked at once)
///     GET|PUT _control/rate-limit {"requestsPerSecond": 5, "burst": 5}   (0: no limit)
///     GET|PUT _control/jobs {"queuedSeconds": 0.2, "runningSeconds": 0.5}
extension IntegratorEmulator {
    func registerControl(on group: RouterGroup<SandboxContext>) {
        let store = self.store
        let limiter = self.limiter
        group.post("_control/tokens") { request, _ in
            await Self.answer {
                let body = try await IntegratorHTTP.json(of: request)
                let lifetime = body["expiresIn"]?.double
                return SandboxJSON.response(
                    try await store.write { try IntegratorTokens.issue($0, lifetime: lifetime) }, status: .created)
            }
        }
        group.delete("_control/tokens/:token") { _, context in
            let token = try context.parameters.require("token")
            return await Self.answer {
                guard try await store.delete(IntegratorTokens.collection, id: token) else {
                    throw IntegratorError.notFound("Token", token)
                }
                return Response(status: .noContent)
            }
        }
        group.get("_control/rate-limit") { _, _ in
            Self.rateAnswer(try await store.read { try IntegratorSettings.rate($0) })
        }
        group.put("_control/rate-limit") { request, _ in
            await Self.answer {
                let body = try await IntegratorHTTP.object(of: request)
                guard let perSecond = body["requestsPerSecond"]?.double, perSecond >= 0 else {
                    throw IntegratorError.missing("requestsPerSecond")
                }
                let rate = IntegratorRateLimiter.Rate(
                    perSecond: perSecond, burst: body["burst"]?.double ?? max(1, perSecond))
                try await store.write { try IntegratorSettings.setRate($0, rate) }
                limiter.reset()
                return Self.rateAnswer(rate)
            }
        }
        group.get("_control/jobs") { _, _ in
            Self.timingAnswer(try await store.read { try IntegratorSettings.jobTiming($0) })
        }
        group.put("_control/jobs") { request, _ in
            await Self.answer {
                let body = try await IntegratorHTTP.object(of: request)
                let timing = try await store.write { tx in
                    var timing = try IntegratorSettings.jobTiming(tx)
                    if let queued = body["queuedSeconds"]?.double { timing.queuedSeconds = max(0, queued) }
                    if let running = body["runningSeconds"]?.double { timing.runningSeconds = max(0, running) }
                    try IntegratorSettings.setJobTiming(tx, timing)
                    return timing
                }
                return Self.timingAnswer(timing)
            }
        }
    }

    private static func rateAnswer(_ rate: IntegratorRateLimiter.Rate) -> Response {
        SandboxJSON.response(["requestsPerSecond": .double(rate.perSecond), "burst": .double(rate.burst)])
    }

    private static func timingAnswer(_ timing: IntegratorSettings.JobTiming) -> Response {
        SandboxJSON.response([
            "queuedSeconds": .double(timing.queuedSeconds), "runningSeconds": .double(timing.runningSeconds),
        ])
    }
}
