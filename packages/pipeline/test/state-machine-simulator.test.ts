import { FakeAws, runStateMachine, TaskFailure, UnsupportedDefinition } from './state-machine-simulator';

/** The simulator's own rules, on small definitions: it must follow Step Functions, or refuse. */
const SDK = 'arn:aws:states:::aws-sdk:';
const noAws: FakeAws = (call) => {
  throw new Error(`unexpected call ${call.service}:${call.action}`);
};
const machine = (States: object, StartAt = Object.keys(States)[0]) => ({ QueryLanguage: 'JSONata', StartAt, States });

describe('state machine simulator', () => {
  test('an unknown state type, an unknown field or a JSONPath field is refused, not ignored', async () => {
    await expect(runStateMachine(machine({ A: { Type: 'Parallel', End: true } }), {}, noAws)).rejects.toThrow(
      UnsupportedDefinition,
    );
    await expect(runStateMachine(machine({ A: { Type: 'Pass', Result: 1, End: true } }), {}, noAws)).rejects.toThrow(
      /StateMachine\/A: field 'Result' is not modelled/,
    );
    // Checked even where the run never goes.
    await expect(
      runStateMachine(
        machine({
          A: { Type: 'Succeed' },
          B: { Type: 'Task', Resource: `${SDK}s3:listBuckets`, ResultPath: '$.x', End: true },
        }),
        {},
        noAws,
      ),
    ).rejects.toThrow(/B: field 'ResultPath'/);
    await expect(runStateMachine({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }, {}, noAws)).rejects.toThrow(
      /query language 'undefined' \(only JSONata\)/,
    );
  });

  test('Output sees the variables the state entered with; its Assign is visible from the next state on', async () => {
    const run = await runStateMachine(
      machine({
        Init: { Type: 'Pass', Assign: { x: 1 }, Next: 'Bump' },
        Bump: { Type: 'Pass', Assign: { x: '{% $x + 1 %}' }, Output: { seen: '{% $x %}' }, Next: 'Read' },
        Read: { Type: 'Pass', Output: { before: '{% $states.input.seen %}', after: '{% $x %}' }, End: true },
      }),
      {},
      noAws,
    );
    expect(run.output).toEqual({ before: 1, after: 2 });
  });

  test('a Map iteration reads outer variables; what it assigns stays in the iteration; the Map returns the outputs', async () => {
    const iteration = {
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { mine: '{% $states.input * $factor %}' }, Next: 'Out' },
        Out: { Type: 'Pass', Output: '{% $mine %}', End: true },
      },
    };
    const definition = (after: object) =>
      machine({
        Init: { Type: 'Pass', Assign: { factor: 10, items: [1, 2, 3] }, Next: 'Each' },
        Each: { Type: 'Map', Items: '{% $items %}', MaxConcurrency: 2, ItemProcessor: iteration, Next: 'After' },
        After: { Type: 'Pass', End: true, ...after },
      });
    expect((await runStateMachine(definition({}), {}, noAws)).output).toEqual([10, 20, 30]);
    const leak = await runStateMachine(definition({ Output: '{% $mine %}' }), {}, noAws);
    expect(leak).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    const overwrite = machine({
      Init: { Type: 'Pass', Assign: { factor: 10 }, Next: 'Each' },
      Each: {
        Type: 'Map',
        Items: [1],
        ItemProcessor: { StartAt: 'Set', States: { Set: { Type: 'Pass', Assign: { factor: 2 }, End: true } } },
        End: true,
      },
    });
    await expect(runStateMachine(overwrite, {}, noAws)).rejects.toThrow(
      /assigning 'factor', a variable of the outer scope/,
    );
  });

  test("a catcher's Output reads $states.input and $states.errorOutput; the failed state's own Assign is not applied", async () => {
    const failing: FakeAws = () => {
      throw new TaskFailure('S3.NoSuchBucket', 'The specified bucket does not exist');
    };
    const run = await runStateMachine(
      machine({
        Init: { Type: 'Pass', Assign: { v: 'before' }, Next: 'Call' },
        Call: {
          Type: 'Task',
          Resource: `${SDK}s3:headBucket`,
          Arguments: { Bucket: '{% $states.input.bucket %}' },
          Assign: { v: 'after' },
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
          Catch: [
            {
              ErrorEquals: ['States.ALL'],
              Output: { bucket: '{% $states.input.bucket %}', error: '{% $states.errorOutput.Error %}', v: '{% $v %}' },
              Next: 'Handled',
            },
          ],
          End: true,
        },
        Handled: { Type: 'Pass', Output: { caught: '{% $states.input %}', v: '{% $v %}' }, End: true },
      }),
      { bucket: 'b' },
      failing,
    );
    expect(run.calls.map((c) => c.args)).toEqual([{ Bucket: 'b' }]);
    expect(run.output).toEqual({ caught: { bucket: 'b', error: 'S3.NoSuchBucket', v: 'before' }, v: 'before' });
  });

  test('an uncaught error fails the execution; an undefined value, a non-boolean Condition or no matching rule is an error', async () => {
    const failing: FakeAws = () => {
      throw new TaskFailure('SNS.NotFoundException', 'Topic does not exist');
    };
    const task = { Type: 'Task', Resource: `${SDK}sns:publish`, End: true };
    expect(await runStateMachine(machine({ A: task }), {}, failing)).toMatchObject({
      status: 'FAILED',
      error: 'SNS.NotFoundException',
      cause: 'Topic does not exist',
    });
    const pass = (Output: unknown) => machine({ A: { Type: 'Pass', Output, End: true } });
    expect(await runStateMachine(pass({ a: '{% $states.input.missing %}' }), {}, noAws)).toMatchObject({
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
    });
    const choice = (Condition: string, Default?: string) =>
      machine({
        C: { Type: 'Choice', Choices: [{ Condition, Next: 'S' }], ...(Default ? { Default } : {}) },
        S: { Type: 'Succeed' },
      });
    expect(await runStateMachine(choice('{% "yes" %}', 'S'), {}, noAws)).toMatchObject({
      error: 'States.QueryEvaluationError',
    });
    expect(await runStateMachine(choice('{% false %}'), {}, noAws)).toMatchObject({ error: 'States.NoChoiceMatched' });
    expect(await runStateMachine(choice('{% false %}', 'S'), { a: 1 }, noAws)).toMatchObject({
      status: 'SUCCEEDED',
      output: { a: 1 },
    });
  });
});
