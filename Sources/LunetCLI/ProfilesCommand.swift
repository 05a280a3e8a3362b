import ArgumentParser
import Foundation
import LunetJSON
import LunetRuntime

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the configured profiles and what each connects to; secrets are shown as ••••.",
        discussion: """
            The config file is $LUNET_CONFIG, else $XDG_CONFIG_HOME/lunet/config.lua. The profile marked * \
            is the one used when none is named: --profile, else $LUNET_PROFILE, else default_profile, else \
            "default". Environment variables (ICL_URL, …) override profiles and are listed last.
            """
    )

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: Configuration
        do {
            configuration = try Configuration.load(environment: environment)
        } catch {
            Diagnostics.error(error.message)
            throw ExitCode(ExitStatus.usage)
        }
        var selectionProblem: ConfigError? = nil
        var selected: String? = nil
        do { selected = try configuration.selectProfile().name } catch { selectionProblem = error }

        if let file = configuration.file {
            print("config: \(file.path)")
            if file.profiles.isEmpty { print("no profiles defined") }
            for name in file.profileNames {
                let marker = name == selected ? "* " : "  "
                print(marker + name + (name == selected ? "  (default)" : ""))
                printServices(file.profiles[name]!.services.mapValues { entries in
                    entries.mapValues { Shown(entry: $0) }
                }, indent: "    ")
            }
        } else {
            print("no config file (looked for \(configuration.path)); connections use the environment")
        }
        let fromEnvironment = environmentOptions(environment)
        if !fromEnvironment.isEmpty {
            print("environment\(configuration.file == nil ? "" : " (overrides profiles)"):")
            printServices(fromEnvironment, indent: "    ")
        }
        if let selectionProblem {
            Diagnostics.error(selectionProblem.message)
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// A value as listed: secrets masked, unresolved references explained.
    struct Shown {
        var text: String

        init(entry: ConfigEntry) {
            switch entry.content {
            case .unresolved(let reason): text = "<\(reason)>"
            case .value(let value): text = entry.isSecret ? Redactor.mask : Self.display(value)
            }
        }

        init(text: String) { self.text = text }

        static func display(_ value: JSONValue) -> String {
            if case .string(let s) = value { return s }
            return value.serializedString()
        }
    }

    private func printServices(_ services: [ServiceName: [String: Shown]], indent: String) {
        for service in services.keys.sorted() {
            let options = services[service]!
            print(indent + service.rawValue)
            let width = options.keys.map(\.count).max() ?? 0
            // Schema order: url first, secrets after the names they go with.
            for spec in service.schema.options {
                guard let shown = options[spec.name] else { continue }
                let padding = String(repeating: " ", count: width - spec.name.count)
                print(indent + "  " + spec.name + padding + "  " + shown.text)
            }
        }
    }

    /// The service options set through environment variables.
    private func environmentOptions(_ environment: [String: String]) -> [ServiceName: [String: Shown]] {
        var services: [ServiceName: [String: Shown]] = [:]
        for service in ServiceName.allCases {
            for spec in service.schema.options {
                guard let variable = spec.environment.first(where: { !(environment[$0] ?? "").isEmpty }) else { continue }
                let text = spec.isSecret ? Redactor.mask : environment[variable]!
                services[service, default: [:]][spec.name] = Shown(text: "\(text)  (\(variable))")
            }
        }
        return services
    }
}
