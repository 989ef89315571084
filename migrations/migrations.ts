import { InitialSchema1795424725919 } from './1795424725919-InitialSchema';
import { Broadcasts1795431633032 } from './1795431633032-Broadcasts';

/** Every migration, in order. New migrations are appended here (the generator prints the line to add). */
export const migrations: (new () => object)[] = [InitialSchema1795424725919, Broadcasts1795431633032];
