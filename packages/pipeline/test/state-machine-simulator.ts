/**
 * A small offline interpreter for the part of the Amazon States Language (JSONata query language) that the
 * drift detector's state machine uses, so tests can run a synthesized definition against a fake AWS account
 * and assert what it does (calls made, metric values, alert text) rather than what its expressions look like.
 * Test code only: files under test/ are outside the jsii build (tsconfig.json includes src/ only) and the
 * published package (.npmignore lists /test/).
 *
 * JSONata expressions are evaluated with `jsonata` 2.0.6, the version Step Functions implements
 * ("Transforming data with JSONata in Step Functions": "Step Functions implements JSONata based on the 2.0.6
 * specification", https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
 *
 * Semantics followed (AWS Step Functions Developer Guide):
 * - `$states` ("Passing data between states with variables", reserved variable $states,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html): `$states.input` is the
 *   original input of the state, in every field of the state, catchers included; `$states.result` is the API's
 *   or sub-workflow's result, only when it succeeded; `$states.errorOutput` only exists in a Catch.
 * - Evaluation order (same page, on Assign; its full text could not be retrieved offline for this file, so this
 *   is the rule as implemented, the stricter reading): a state's fields are evaluated with the variable values
 *   it entered with; what its `Assign` sets becomes visible from the NEXT state on. So `Output` never sees the
 *   same state's `Assign`. On an error caught by a catcher, the catcher's `Output` and `Assign` replace the
 *   state's own (the state's `Assign` is not applied).
 * - Variable scope (same page, and "Map state": https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html):
 *   the top-level states share one scope; each inline Map iteration runs in a scope of its own that can read the
 *   outer variables; what an iteration assigns is not visible outside it ("you might only need to use Output to
 *   return data from Parallel and Map sub-workflows"): the Map returns the array of its iterations' outputs as
 *   `$states.result`. Assigning from an iteration a name the outer scope holds is refused here (the strict
 *   reading: an iteration cannot change the outer scope, so such an Assign can only be a mistake).
 * - Defaults: the output of a Task is `$states.result`, of a Map the array of iteration outputs, of a Pass, Wait
 *   and Succeed their input; a catcher without `Output` outputs `$states.errorOutput` ({Error, Cause}).
 * - Choice: rules in order, the first whose `Condition` is `true` wins, else `Default`, else the
 *   States.NoChoiceMatched error. A Condition that is not a boolean is a States.QueryEvaluationError.
 *
 * Simplifications, each on the safe side:
 * - Retries are not replayed: an error the fake account throws (`TaskFailure`) stands for one that outlasted
 *   the retries, and goes straight to the Catch (or fails the state).
 * - Wait does not wait. Map iterations run concurrently up to MaxConcurrency, in one process.
 * - `$` (the JSONata context) is bound to nothing: an expression has to read `$states.input` explicitly.
 * - A JSONata expression that evaluates to undefined (a missing field) is a States.QueryEvaluationError, so
 *   a misspelt path fails a test instead of silently dropping a field.
 * - Anything else (an unknown state type or field, JSONPath fields, a Choice rule with Assign/Output, Parallel,
 *   distributed Map, an error name other than States.ALL or an exact match) throws `UnsupportedDefinition`:
 *   the interpreter never ignores what it does not model.
 */
import jsonata from 'jsonata';

/** One call of an AWS SDK integration (`arn:<partition>:states:::aws-sdk:<service>:<action>`). */
export interface SdkCall {
  readonly service: string;
  readonly action: string;
  /** The evaluated `Arguments`. */
  readonly args: any;
  /** The evaluated `Credentials` of the task, if any. */
  readonly credentials?: any;
  /** The path of states that led to the call: the Map state's name, then the iteration's state. */
  readonly state: string;
}

/** The fake AWS account: returns the API's response, or throws a `TaskFailure`. */
export type FakeAws = (call: SdkCall) => unknown | Promise<unknown>;

/**
 * An error of an AWS API call, as Step Functions reports it to Catch (`Error`, `Cause`), after the retries.
 * Thrown by a `FakeAws`.
 */
export class TaskFailure extends Error {
  constructor(
    public readonly error: string,
    public readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** The definition uses something this interpreter does not model: a test bug, never a state machine outcome. */
export class UnsupportedDefinition extends Error {}

/** How a run ended. */
export interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Every SDK call, in the order they were made. */
  readonly calls: SdkCall[];
  /** Every state entered, in order (iteration states prefixed with the Map state's name and '/'). */
  readonly visited: string[];
  /** The output of every state that completed, in order. */
  readonly outputs: Array<{ readonly state: string; readonly output: unknown }>;
}

/** A States runtime error (caught by Catch, or failing the execution). */
class StatesError extends Error {
  constructor(
    public readonly error: string,
    public readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const TRANSITION = ['Next', 'End'];
/** The fields this interpreter models, per state type (Amazon States Language, JSONata states). */
const FIELDS: { [type: string]: string[] } = {
  Pass: [...COMMON, ...TRANSITION, 'Output', 'Assign'],
  Task: [
    ...COMMON,
    ...TRANSITION,
    'Resource',
    'Arguments',
    'Output',
    'Assign',
    'Catch',
    'Retry',
    'Credentials',
    'TimeoutSeconds',
    'HeartbeatSeconds',
  ],
  Choice: [...COMMON, 'Choices', 'Default'],
  Wait: [...COMMON, ...TRANSITION, 'Seconds', 'Timestamp', 'Output', 'Assign'],
  Map: [...COMMON, ...TRANSITION, 'Items', 'ItemProcessor', 'MaxConcurrency', 'Output', 'Assign', 'Catch', 'Retry'],
  Succeed: [...COMMON, 'Output'],
  Fail: [...COMMON, 'Error', 'Cause'],
};
const RETRIER_FIELDS = [
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
];
const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment'];
const MACHINE_FIELDS = ['StartAt', 'States', 'Comment', 'QueryLanguage', 'TimeoutSeconds', 'Version'];
const PROCESSOR_FIELDS = ['StartAt', 'States', 'ProcessorConfig', 'Comment'];
/** Guard against a loop that never ends (the real bound is the execution timeout). */
const MAX_TRANSITIONS = 10_000;

function unsupported(where: string, what: string): never {
  throw new UnsupportedDefinition(`${where}: ${what} is not modelled by the state machine simulator`);
}

function checkFields(where: string, object: any, allowed: string[]): void {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    unsupported(where, `a ${Array.isArray(object) ? 'array' : typeof object} (expected an object)`);
  }
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) unsupported(where, `field '${key}'`);
  }
}

/** Checks the whole definition up front, visited or not: an unmodelled field anywhere fails the test. */
function validate(machine: any, where: string, fields: string[], inherited: string | undefined): void {
  checkFields(where, machine, fields);
  const language = machine.QueryLanguage ?? inherited;
  if (!machine.States || !machine.States[machine.StartAt]) {
    unsupported(where, `StartAt '${machine.StartAt}' (no such state)`);
  }
  for (const [name, state] of Object.entries<any>(machine.States)) {
    const at = `${where}/${name}`;
    const allowed = FIELDS[state.Type] ?? unsupported(at, `state type '${state.Type}'`);
    checkFields(at, state, allowed);
    if ((state.QueryLanguage ?? language) !== 'JSONata') {
      unsupported(at, `query language '${state.QueryLanguage ?? language}' (only JSONata)`);
    }
    const targets: string[] = [];
    if (allowed.includes('Next')) {
      if ((state.Next === undefined) === (state.End !== true)) {
        unsupported(at, 'a state without exactly one of Next and End: true');
      }
      if (state.Next !== undefined) targets.push(state.Next);
    }
    if (state.Type === 'Choice') {
      for (const rule of state.Choices) {
        checkFields(`${at} Choices`, rule, ['Condition', 'Next', 'Comment']);
        targets.push(rule.Next);
      }
      if (state.Default !== undefined) targets.push(state.Default);
    }
    for (const retrier of state.Retry ?? []) checkFields(`${at} Retry`, retrier, RETRIER_FIELDS);
    for (const catcher of state.Catch ?? []) {
      checkFields(`${at} Catch`, catcher, CATCHER_FIELDS);
      for (const error of catcher.ErrorEquals) {
        if (error.startsWith('States.') && error !== 'States.ALL') unsupported(`${at} Catch`, `error name '${error}'`);
      }
      targets.push(catcher.Next);
    }
    for (const target of targets) {
      if (!machine.States[target]) unsupported(at, `transition to '${target}' (no such state)`);
    }
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor;
      checkFields(`${at} ItemProcessor`, processor, PROCESSOR_FIELDS);
      if (processor.ProcessorConfig !== undefined) {
        checkFields(`${at} ProcessorConfig`, processor.ProcessorConfig, ['Mode']);
        if (processor.ProcessorConfig.Mode !== 'INLINE') {
          unsupported(at, `Map mode '${processor.ProcessorConfig.Mode}'`);
        }
      }
      validate(processor, at, PROCESSOR_FIELDS, language);
    }
  }
}

/**
 * Variables of one scope: the top level, or one Map iteration (whose parent is the scope of the Map state).
 * Reads see the own scope first, then the outer ones; writes go to the own scope only.
 */
class Scope {
  private readonly values = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}

  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Every variable visible from this scope, inner names over outer ones. */
  visible(): { [name: string]: unknown } {
    return { ...(this.parent?.visible() ?? {}), ...Object.fromEntries(this.values) };
  }

  /** Applies a state's evaluated `Assign`, all at once, after the state's other fields were evaluated. */
  assign(where: string, values: { [name: string]: unknown }): void {
    for (const [name, value] of Object.entries(values)) {
      if (name === 'states') unsupported(where, "assigning the reserved variable 'states'");
      if (this.parent?.has(name)) {
        unsupported(where, `assigning '${name}', a variable of the outer scope, from a Map iteration`);
      }
      this.values.set(name, value);
    }
  }
}

/** What `$states` holds while a field is evaluated. */
interface StatesBinding {
  readonly input: unknown;
  readonly result?: unknown;
  readonly errorOutput?: unknown;
  readonly context: unknown;
}

/**
 * Evaluates a field: strings `{% expression %}` are JSONata, other strings literal; objects and arrays are
 * evaluated member by member, as Step Functions does for Arguments, Output and Assign.
 */
async function evaluate(where: string, value: unknown, variables: object, states: StatesBinding): Promise<any> {
  if (typeof value === 'string') {
    const match = /^\{%(.*)%\}$/s.exec(value);
    if (!match) {
      if (value.trimStart().startsWith('{%')) unsupported(where, `a JSONata string not ending with %}: ${value}`);
      return value;
    }
    let result: unknown;
    try {
      result = await jsonata(match[1]).evaluate(undefined, { ...variables, states });
    } catch (e: any) {
      throw new StatesError('States.QueryEvaluationError', `${where}: ${e.message} in ${value}`);
    }
    if (result === undefined) {
      throw new StatesError('States.QueryEvaluationError', `${where}: ${value} evaluated to undefined`);
    }
    // Drop JSONata's internal sequence flags: what crosses states is JSON.
    return JSON.parse(JSON.stringify(result));
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const [i, member] of value.entries()) out.push(await evaluate(`${where}[${i}]`, member, variables, states));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = await evaluate(`${where}.${key}`, member, variables, states);
    }
    return out;
  }
  return value;
}

/**
 * The AWS SDK integration of a Task's Resource. The partition may be the `{Ref:AWS::Partition}` token, as the
 * tests render CloudFormation's Fn::Join of the DefinitionString.
 */
function sdkTarget(where: string, resource: string): { service: string; action: string } {
  const match = /^arn:(?:aws[a-z-]*|\{Ref:AWS::Partition\}):states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(
    resource,
  );
  if (!match) unsupported(where, `resource '${resource}' (only aws-sdk integrations)`);
  return { service: match[1], action: match[2] };
}

class Interpreter {
  readonly calls: SdkCall[] = [];
  readonly visited: string[] = [];
  readonly outputs: Array<{ state: string; output: unknown }> = [];
  private transitions = 0;

  constructor(
    private readonly aws: FakeAws,
    private readonly executionInput: unknown,
  ) {}

  /** Runs one state machine (the top level or a Map iteration) to its end; returns its output. */
  async run(machine: any, input: unknown, scope: Scope, prefix: string): Promise<unknown> {
    let name: string = machine.StartAt;
    let data = input;
    for (;;) {
      if (++this.transitions > MAX_TRANSITIONS) throw new Error(`more than ${MAX_TRANSITIONS} transitions: a loop?`);
      const state = machine.States[name];
      const where = `${prefix}${name}`;
      this.visited.push(where);
      const step = await this.step(where, state, data, scope);
      this.outputs.push({ state: where, output: step.output });
      if (step.next === undefined) return step.output;
      name = step.next;
      data = step.output;
    }
  }

  private async step(
    where: string,
    state: any,
    input: unknown,
    scope: Scope,
  ): Promise<{ output: unknown; next?: string }> {
    // Fields read the variables as they were on entering the state.
    const variables = scope.visible();
    const states = (extra: object = {}): StatesBinding => ({
      input,
      context: { Execution: { Input: this.executionInput }, State: { Name: where } },
      ...extra,
    });
    const next = state.End ? undefined : state.Next;
    switch (state.Type) {
      case 'Choice': {
        for (const rule of state.Choices) {
          const condition = await evaluate(`${where} Condition`, rule.Condition, variables, states());
          if (typeof condition !== 'boolean') {
            throw new StatesError(
              'States.QueryEvaluationError',
              `${where}: Condition ${rule.Condition} is not a boolean`,
            );
          }
          if (condition) return { output: input, next: rule.Next };
        }
        if (state.Default === undefined) throw new StatesError('States.NoChoiceMatched', `${where}: no rule matched`);
        return { output: input, next: state.Default };
      }
      case 'Succeed':
        return {
          output:
            state.Output === undefined ? input : await evaluate(`${where} Output`, state.Output, variables, states()),
        };
      case 'Fail':
        throw new StatesError(state.Error ?? 'States.Fail', state.Cause ?? '');
      case 'Pass':
      case 'Wait':
        return this.finish(where, state, variables, states(), input, next, scope);
      case 'Task':
      case 'Map': {
        let result: unknown;
        try {
          result =
            state.Type === 'Task'
              ? await this.task(where, state, variables, states())
              : await this.map(where, state, variables, states(), scope);
          return await this.finish(where, state, variables, states({ result }), result, next, scope);
        } catch (e) {
          return this.catchError(where, state, e, variables, states, scope);
        }
      }
      default:
        return unsupported(where, `state type '${state.Type}'`);
    }
  }

  /** Output (default: `fallback`) and Assign, both with the entry values of the variables; then the assignment. */
  private async finish(
    where: string,
    state: any,
    variables: object,
    states: StatesBinding,
    fallback: unknown,
    next: string | undefined,
    scope: Scope,
  ): Promise<{ output: unknown; next?: string }> {
    const output =
      state.Output === undefined ? fallback : await evaluate(`${where} Output`, state.Output, variables, states);
    const assigned =
      state.Assign === undefined ? {} : await evaluate(`${where} Assign`, state.Assign, variables, states);
    scope.assign(where, assigned);
    return { output, next };
  }

  private async task(where: string, state: any, variables: object, states: StatesBinding): Promise<unknown> {
    const { service, action } = sdkTarget(where, state.Resource);
    const args =
      state.Arguments === undefined ? {} : await evaluate(`${where} Arguments`, state.Arguments, variables, states);
    const credentials =
      state.Credentials === undefined
        ? undefined
        : await evaluate(`${where} Credentials`, state.Credentials, variables, states);
    const call: SdkCall = { service, action, args, state: where, ...(credentials ? { credentials } : {}) };
    this.calls.push(call);
    try {
      return JSON.parse(JSON.stringify((await this.aws(call)) ?? {}));
    } catch (e) {
      if (e instanceof TaskFailure) throw new StatesError(e.error, e.cause);
      throw e;
    }
  }

  /** Inline Map: one iteration per item, each in its own variable scope; the result is the outputs, in item order. */
  private async map(
    where: string,
    state: any,
    variables: object,
    states: StatesBinding,
    scope: Scope,
  ): Promise<unknown[]> {
    const items =
      state.Items === undefined ? states.input : await evaluate(`${where} Items`, state.Items, variables, states);
    if (!Array.isArray(items)) throw new StatesError('States.QueryEvaluationError', `${where}: Items is not an array`);
    const results: unknown[] = new Array(items.length);
    let nextIndex = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && nextIndex < items.length) {
        const index = nextIndex++;
        try {
          results[index] = await this.run(state.ItemProcessor, items[index], new Scope(scope), `${where}/`);
        } catch (e) {
          failed = true; // an iteration that fails fails the Map state (and its other iterations stop)
          throw e;
        }
      }
    };
    const concurrency = state.MaxConcurrency ? Math.min(state.MaxConcurrency, items.length) : items.length;
    await Promise.all(Array.from({ length: Math.max(concurrency, 1) }, worker));
    return results;
  }

  /** The first catcher that names the error (or States.ALL) takes over: its Output and Assign, its Next. */
  private async catchError(
    where: string,
    state: any,
    e: unknown,
    variables: object,
    states: (extra?: object) => StatesBinding,
    scope: Scope,
  ): Promise<{ output: unknown; next?: string }> {
    if (!(e instanceof StatesError)) throw e;
    const catcher = (state.Catch ?? []).find(
      (c: any) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes(e.error),
    );
    if (!catcher) throw e;
    const errorOutput = { Error: e.error, Cause: e.cause };
    const bound = states({ errorOutput });
    const output =
      catcher.Output === undefined
        ? errorOutput
        : await evaluate(`${where} Catch Output`, catcher.Output, variables, bound);
    scope.assign(
      where,
      catcher.Assign === undefined ? {} : await evaluate(`${where} Catch Assign`, catcher.Assign, variables, bound),
    );
    return { output, next: catcher.Next };
  }
}

/**
 * Runs a state machine definition (parsed JSON) with `input` against `aws`. Resolves with the execution's
 * status (an uncaught States error is a FAILED execution, as in Step Functions); rejects only on an
 * `UnsupportedDefinition` or an error of the fake account that is not a `TaskFailure` (test bugs).
 */
export async function runStateMachine(definition: any, input: unknown, aws: FakeAws): Promise<Execution> {
  validate(definition, 'StateMachine', MACHINE_FIELDS, undefined);
  const interpreter = new Interpreter(aws, input);
  const { calls, visited, outputs } = interpreter;
  try {
    const output = await interpreter.run(definition, input, new Scope(), '');
    return { status: 'SUCCEEDED', output, calls, visited, outputs };
  } catch (e) {
    if (e instanceof StatesError) return { status: 'FAILED', error: e.error, cause: e.cause, calls, visited, outputs };
    throw e;
  }
}
