import Foundation
import Hummingbird

/// Injects the active fault spec's faults in front of every module route.
/// Control endpoints pass straight through: a test must always be able to
/// reset the sandbox or change the faults.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let injector: FaultInjector

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard !ControlRoutes.owns(request.uri.path), let decision = injector.decide(path: request.uri.path) else {
            return try await next(request, context)
        }
        if decision.delayMilliseconds > 0 {
            // No tolerance: the default lets the timer fire a millisecond or
            // more late, which a latency benchmark would count as ours.
            try await Task.sleep(for: .milliseconds(decision.delayMilliseconds), tolerance: .zero)
        }
        var response: Response
        switch decision.fault {
        case .status(let code)?:
            response = Self.injected(status: code, retryAfter: decision.retryAfter)
        case .reset?:
            response = Response(status: .internalServerError, headers: [.sandboxFault: "reset"])
        case .resetAfter?:
            response = try await Self.answer(request, context, next)
            response.headers[.sandboxFault] = "reset-after"
        case .slow?:
            response = try await Self.answer(request, context, next)
            response.headers[.sandboxFault] = "slow"
        case nil:
            guard decision.delayMilliseconds > 0 else { return try await next(request, context) }
            response = try await Self.answer(request, context, next)
        }
        if decision.delayMilliseconds > 0 {
            response.headers[.sandboxDelay] = FaultSpec.numberText(decision.delayMilliseconds) + "ms"
        }
        return response
    }

    static func injected(status code: Int, retryAfter: RetryAfter) -> Response {
        var headers: HTTPFields = [.sandboxFault: String(code)]
        if code == 429 {
            switch retryAfter {
            case .seconds(let seconds):
                headers[.retryAfter] = String(seconds)
            case .date(let seconds):
                headers[.retryAfter] = Self.httpDate(Date().addingTimeInterval(Double(seconds)))
            }
        }
        return SandboxJSON.response(
            ["error": .string("injected fault \(code)")], status: HTTPResponse.Status(code: code), headers: headers)
    }

    /// RFC 9110 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT", rounded up
    /// so the date is never earlier than the delay it stands for.
    private static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up)))
    }

    /// The module's answer, with a thrown error turned into its response so
    /// the fault headers can be added to it.
    private static func answer(
        _ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context)
        } catch {
            return Response(status: .internalServerError)
        }
    }
}
